"""One test message to an apprise URL, now (``guiyang-ops notify test`` and the admin page's 发送测试消息): the URL
checked like a route's, the message in the chosen language, the reason of a failure without the URL's secrets."""

from __future__ import annotations

from datetime import datetime

from geo.crs import TZ
from ops.notify.deliver import DeliveryError, send
from ops.notify.routes import check_url
from ops.notify.secrets import scrub

TITLES = {"zh": "贵阳城市管理：测试消息", "en": "Guiyang city management: test message"}
BODIES = {
    "zh": "这是一条测试消息（{at}）。收到即说明这个通知地址可用。",
    "en": "This is a test message ({at}). If you read it, this notification address works.",
}


def probe_message(lang: str, now: datetime | None = None) -> tuple[str, str]:
    """The title and body of a test message in ``lang`` (zh unless en)."""
    key = "en" if lang == "en" else "zh"
    at = (now or datetime.now(TZ)).astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")
    return TITLES[key], BODIES[key].format(at=at)


def send_test(url: str, *, lang: str = "zh", timeout: float = 10.0, now: datetime | None = None) -> None:
    """Deliver one test message; :class:`~db.errors.ValidationError` for a URL we do not take,
    :class:`DeliveryError` (its secrets scrubbed) when it was not delivered."""
    url = check_url(url)
    title, body = probe_message(lang, now)
    try:
        send(url, title, body, timeout=timeout)
    except DeliveryError as exc:
        raise DeliveryError(scrub(str(exc), url)) from None

"""Where a subscription's messages go, checked before anything is written, and how it is shown.

- ``url``: an apprise URL of the schemes notification routes take (:data:`ops.notify.secrets.ALLOWED_SCHEMES`:
  WeCom/DingTalk bots, e-mail over SMTP, JSON webhooks), checked by :func:`ops.notify.routes.check_url`. A
  citizen gives a plain webhook (``https://host/path``), kept as apprise's ``jsons://host/path``; it must be
  HTTPS to a public address unless ``allow_local`` (``GUIYANG_SUBSCRIPTIONS_LOCAL_WEBHOOKS``: tests, a closed
  network), so the server is never made to post to its own network.
- ``email``: an address; the message is sent through the city's mail sender
  (``GUIYANG_SUBSCRIPTIONS_MAIL_URL``, an apprise ``mailto(s)://`` URL) with ``to=`` that address. Refused when no
  sender is configured.

A channel is a secret (a token, a password) or personal data (a citizen's address): :func:`mask` is the only way
it is shown."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from db.errors import ValidationError
from ops.notify.routes import check_url
from ops.notify.secrets import mask_url

EMAIL = re.compile(r"^[^@\s/?&#:]{1,64}@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
EMAIL_MAX = 160
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


def _bad(zh: str, en: str, detail: str = "") -> ValidationError:
    return ValidationError(zh, en, field="channel", detail=detail)


def check_email(address: str | None, *, mail_ready: bool) -> str:
    addr = (address or "").strip()
    if not addr:
        raise _bad("请填写电子邮箱地址。", "Enter an e-mail address.")
    if len(addr) > EMAIL_MAX or not EMAIL.match(addr):
        raise _bad("电子邮箱地址格式不正确。", "The e-mail address is not valid.")
    if not mail_ready:
        raise _bad(
            "本系统未配置邮件发送（GUIYANG_SUBSCRIPTIONS_MAIL_URL），请改用 Webhook 或机器人地址。",
            "This server sends no e-mail (GUIYANG_SUBSCRIPTIONS_MAIL_URL is not set); use a webhook or bot URL.",
        )
    return addr


def check_staff_url(url: str | None) -> str:
    """An apprise URL as a notification route takes it (its error's field is ``channel``)."""
    try:
        return check_url(url or "")
    except ValidationError as exc:
        raise ValidationError(exc.zh, exc.en, field="channel", detail=exc.detail) from None


def _local_host(host: str) -> bool:
    if host.lower().rstrip(".") in _LOCAL_NAMES or host.lower().endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not ip.is_global


def webhook_to_apprise(url: str | None, *, allow_local: bool) -> str:
    """A citizen's webhook ``https://host[:port]/path?query`` as apprise's ``jsons://…`` (``http`` → ``json``,
    only with ``allow_local``); refused when not HTTP(S), without a host, or (without ``allow_local``) plain
    HTTP or pointing at a loopback, private or link-local address."""
    raw = (url or "").strip()
    if not raw:
        raise _bad("请填写接收通知的 Webhook 地址。", "Enter the webhook URL to deliver to.")
    try:
        parts = urlsplit(raw)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        raise _bad("Webhook 地址无法识别。", "The webhook URL cannot be read.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not host or parts.username or parts.password:
        raise _bad(
            "Webhook 地址应为 https://主机/路径。", "The webhook URL must look like https://host/path."
        )
    if not allow_local and (scheme != "https" or _local_host(host)):
        raise _bad(
            "Webhook 须为公网上的 HTTPS 地址。",
            "The webhook must be an HTTPS address on the public internet.",
            detail=f"scheme={scheme} local={_local_host(host)}",
        )
    netloc = f"[{host}]" if ":" in host else host
    if port:
        netloc += f":{port}"
    target = urlunsplit(("jsons" if scheme == "https" else "json", netloc, parts.path, parts.query, ""))
    return check_staff_url(target)


def mail_url_for(base: str, address: str) -> str:
    """The city's mail sender ``base`` (an apprise ``mailto(s)://`` URL) writing to ``address``."""
    parts = urlsplit(base.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() != "to"]
    query.append(("to", address))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def delivery_url(kind: str, channel: str, mail_url: str | None) -> str:
    """The apprise URL a message of a subscription is sent to; ``ValueError`` for e-mail without a sender."""
    if kind == "email":
        if not mail_url:
            raise ValueError("no mail sender configured (GUIYANG_SUBSCRIPTIONS_MAIL_URL)")
        return mail_url_for(mail_url, channel)
    return channel


def mask(kind: str, channel: str | None) -> str:
    """``json://127.0.0.1:8080/****``, ``wecombot://****``, ``w***@example.cn``; removed: ``—``."""
    if not channel:
        return "—"
    if kind == "email":
        user, _, domain = channel.partition("@")
        return f"{user[:1]}***@{domain}"
    return mask_url(channel)

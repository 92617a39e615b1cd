"""Delivery of one message to one apprise URL (a WeCom or DingTalk group bot, e-mail over SMTP, a JSON webhook).

:func:`send` returns when the receiver took the message and raises :class:`DeliveryError` (the reason, in
apprise's words, never the URL's secrets) when it did not. It blocks for at most about ``timeout`` seconds per
connection attempt: call it off the event loop."""

from __future__ import annotations

import logging
import re

import apprise

#: apprise's captured log lines begin with a time stamp and a level: the reason is what follows.
_STAMP = re.compile(r"^\S+ \S+ - [A-Z]+ - ")


class DeliveryError(Exception):
    """The message was not delivered; ``str(exc)`` says why."""


def send(url: str, title: str, body: str, *, timeout: float = 10.0) -> None:
    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if not plugin:
        raise DeliveryError("not an apprise URL this server understands")
    plugin.socket_connect_timeout = timeout
    plugin.socket_read_timeout = timeout
    with apprise.LogCapture(level=logging.WARNING) as captured:
        delivered = plugin.notify(body=body, title=title)
    if not delivered:
        lines = [_STAMP.sub("", line).strip() for line in captured.getvalue().splitlines() if line.strip()]
        raise DeliveryError("; ".join(lines[-2:]) if lines else "the receiver did not accept the message")

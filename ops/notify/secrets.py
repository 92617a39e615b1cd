"""A route's URL is a secret (a bot's token, a mail password): what of it may be shown.

:func:`mask_url` is the one way a route's URL is shown anywhere (the command line, the admin page, a log line):
the scheme and the host, never a password, a user name, a path or a query. For the bots, whose "host" is the
token itself (``wecombot://TOKEN``, ``dingtalk://TOKEN``), the host is hidden too. :func:`scrub` removes a URL's
secret parts from a text that may quote them (a delivery error)."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

#: Schemes a route may use, with what they are: apprise understands many more, we allow these.
ALLOWED_SCHEMES: dict[str, tuple[str, str]] = {
    "wecombot": ("企业微信群机器人", "WeCom group bot"),
    "dingtalk": ("钉钉群机器人", "DingTalk group bot"),
    "mailto": ("电子邮件 (SMTP)", "e-mail (SMTP)"),
    "mailtos": ("电子邮件 (SMTPS)", "e-mail (SMTPS)"),
    "json": ("JSON Webhook", "JSON webhook"),
    "jsons": ("JSON Webhook (HTTPS)", "JSON webhook (HTTPS)"),
}
#: Schemes whose "host" is the bot's token.
TOKEN_HOST = frozenset({"wecombot", "dingtalk"})
HIDDEN = "****"
_MIN_SECRET = 3


def scheme_of(url: str) -> str:
    head, sep, _ = url.strip().partition("://")
    return head.lower() if sep else ""


def mask_url(url: str) -> str:
    """``json://user:pw@hooks.example.com:8080/a/TOKEN?k=v`` → ``json://****@hooks.example.com:8080/****``;
    ``wecombot://TOKEN`` → ``wecombot://****``; anything unreadable → ``****``."""
    scheme = scheme_of(url)
    if not scheme or not scheme.isalnum():
        return HIDDEN
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return f"{scheme}://{HIDDEN}"
    if scheme in TOKEN_HOST or not host:
        return f"{scheme}://{HIDDEN}"
    shown = ("****@" if "@" in parts.netloc else "") + host + (f":{port}" if port else "")
    if parts.path.strip("/") or parts.query:
        shown += "/" + HIDDEN
    return f"{scheme}://{shown}"


def secret_parts(url: str) -> list[str]:
    """Every part of ``url`` that must not be shown (longest first): user, password, token host, path segments,
    query values — raw and percent-decoded."""
    scheme = scheme_of(url)
    try:
        parts = urlsplit(url.strip())
        found = [parts.username or "", parts.password or ""]
        if scheme in TOKEN_HOST:
            found.append(parts.hostname or "")
            found.append(parts.netloc)
    except ValueError:
        return [url]
    found += [seg for seg in re.split(r"[/]", parts.path) if seg]
    found += [v for pair in re.split(r"[&;]", parts.query) for v in pair.split("=")[1:]]
    found += [unquote(s) for s in found]
    return sorted({s for s in found if len(s) >= _MIN_SECRET}, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """``text`` with every secret part of ``url`` replaced by ``****`` (and the URL itself by its mask)."""
    out = text.replace(url.strip(), mask_url(url))
    for secret in secret_parts(url):
        out = out.replace(secret, HIDDEN)
    return out

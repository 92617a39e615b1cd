"""One message through apprise: :func:`send` returns when it was delivered and raises :class:`DeliveryError`
otherwise (``notify run`` and ``notify test`` both send through it).

How apprise is used, after reading its behaviour (2.x):

- one URL per send, in the calling thread (``AppriseAsset(async_mode=False, service_timeout=0)``: without a
  service deadline apprise uses no thread pool, so it never abandons a send that may still deliver later, and
  the failure's log lines stay in this thread, where :func:`send` collects them); the socket timeouts bound it;
- apprise does not retry (``retry=0`` is its default): the outbox's worker retries, with backoff;
- a refused connection, a timeout, an HTTP error status or an SMTP error make ``notify()`` false (checked for
  ``json://`` and ``mailto://`` against real local receivers in the tests); an unparseable URL is refused by
  ``add()``;
- timeouts: the plugin's connect and read timeouts (apprise's ``cto``/``rto``; e-mail uses the connect timeout
  for its SMTP socket) are set to ``timeout``;
- its logger tells the URL, the payload and sometimes the token (a bot's token is often the URL's host): it no
  longer propagates to the application's log (nor does urllib3's request line, which holds a bot's key in its
  query string, even at DEBUG), and the error kept from it is scrubbed of every part of the URL
  (:func:`scrub`), so ``last_error`` never holds a secret. Never the body either: the error is what apprise
  reports about the connection or the answer.

Plain SMTP to a local server (no TLS): ``mailto://user:pass@127.0.0.1:2525?from=a@x.cn&to=b@y.cn&mode=insecure``
(``mode=ssl`` is SMTPS, the default ``starttls`` upgrades the connection).
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from ops.notify import secrets

ERROR_MAX = 500
_local = threading.local()
_ERRNO = re.compile(r"\[Errno -?\d+\][^'\")\]]*")


class DeliveryError(Exception):
    """The message was not delivered; ``str(exc)`` says why, without the URL or any of its parts."""


class _Collect(logging.Handler):
    """Keeps apprise's warnings and socket errors of the current thread's :func:`send` (nothing otherwise)."""

    def emit(self, record: logging.LogRecord) -> None:
        lines: list[str] | None = getattr(_local, "lines", None)
        if lines is None:
            return
        msg = record.getMessage()
        if record.levelno >= logging.WARNING:
            lines.append(msg)
        elif msg.startswith(("Socket Exception", "Response Details")):
            found = _ERRNO.search(msg)
            if found:
                lines.append(found.group(0).strip())


_setup_lock = threading.Lock()
_ready = False


def _apprise() -> Any:
    """apprise, imported once (it loads its ~190 plugins: slow) with its logger kept to :class:`_Collect`."""
    global _ready
    import apprise

    with _setup_lock:
        if not _ready:
            log = logging.getLogger("apprise")
            log.setLevel(logging.DEBUG)
            log.addHandler(_Collect())
            # urllib3 logs each request line at DEBUG, with a WeCom or DingTalk bot's key in its query string
            logging.getLogger("urllib3.connectionpool").setLevel(logging.INFO)
            _ready = True
    return apprise


def warm() -> None:
    """Import apprise now (its plugins take a moment to load): a long-running worker does it before its first
    message, so the first message is not late, nor the ones behind it."""
    _apprise()


def scrub(message: str, url: str) -> str:
    """``message`` without the secrets of ``url`` (:func:`ops.notify.secrets.scrub`), one line, at most
    ERROR_MAX characters."""
    out = " ".join(secrets.scrub(message, url).split())
    return out if len(out) <= ERROR_MAX else out[: ERROR_MAX - 1] + "…"


def send(url: str, title: str, body: str, *, timeout: float = 10.0) -> None:
    """Deliver one message (``title``, ``body``) to the apprise ``url``; raises :class:`DeliveryError`."""
    ap = _apprise()
    _local.lines = []
    try:
        asset = ap.AppriseAsset(async_mode=False, service_timeout=0)
        plugin = ap.Apprise.instantiate(url, asset=asset, suppress_exceptions=True)
        if not plugin:
            raise DeliveryError("not a valid notification URL (apprise cannot read it)")
        plugin.socket_connect_timeout = timeout
        plugin.socket_read_timeout = timeout
        sender = ap.Apprise(asset=asset)
        sender.add(plugin)
        ok = sender.notify(title=title, body=body)
        if not ok:
            reason = "; ".join(dict.fromkeys(_local.lines)) or "the service refused the message"
            raise DeliveryError(scrub(reason, url))
    except DeliveryError:
        raise
    except Exception as exc:  # noqa: BLE001 - apprise or a plugin failing in its own way is a failed delivery
        raise DeliveryError(scrub(f"{type(exc).__name__}: {exc}", url)) from None
    finally:
        _local.lines = None

"""The real app for the tests that need it: :class:`AppServer` (uvicorn in a child process on a test database),
and signing in as the login form does."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import httpx

from bench.app_process import AppProcess
from bench.common import login_token as login_token  # re-exported: the tests sign in as the benchmarks do
from bench.common import sign_in
from bench.common import (
    sign_in_context as sign_in_context,
)  # re-exported: a browser context signed in by request
from dashboard.settings import Settings

#: a client signed in through the form, as the benchmarks sign in
sign_in_client = sign_in


class AppServer(AppProcess):
    """The real app on the test database ``db_url``, with the session's settings; ``env`` may be changed before
    ``start()``."""

    def __init__(self, db_url: str, settings: Settings) -> None:
        super().__init__(
            {
                "DATABASE_URL": db_url,
                "GUIYANG_DEMO_MODE": "1",
                "GUIYANG_SECRET_KEY": settings.secret_key or "browser-test-secret-" + "y" * 32,
                "GUIYANG_MEDIA_DIR": str(settings.media_path),
                "GUIYANG_LOG_LEVEL": "WARNING",
            }
        )


#: opens another client of the app in process (its own cookies), as ``httpx.Client(base_url=...)`` would
OpenClient = Callable[..., httpx.Client]


def sse_events(client: httpx.Client, path: str, stop: threading.Event) -> Iterator[tuple[str, str]]:
    """The server-sent events of ``path`` as ``(event name, data)``, until the stream ends or ``stop`` is set (seen
    at the next line: a ping comes every 15 s)."""
    with client.stream("GET", path, timeout=httpx.Timeout(30, read=None)) as r:
        event = ""
        for line in r.iter_lines():
            if stop.is_set():
                return
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                yield event, line[5:].strip()

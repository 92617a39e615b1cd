"""The access log without the screens' routine traffic. Every open wall and workbench asks the callback route at
each doorbell: at 300 open screens that is ~300 lines a second (26 million a day) saying ``200`` and ``204``, and
writing them was a noticeable share of the workers' CPU. Those lines are left out; a callback that fails (4xx, 5xx)
is still logged, and so is every other request (pages, the APIs, the event streams)."""

from __future__ import annotations

import logging

from dashboard.app import CALLBACK_PATH

ACCESS_LOGGER = "uvicorn.access"


class QuietCallbacks(logging.Filter):
    """Drops uvicorn's access line of a callback request that succeeded."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:  # client, method, path, HTTP version, status
            path, status = args[2], args[4]
            if path == CALLBACK_PATH and isinstance(status, int) and status < 400:
                return False
        return True


def install() -> None:
    """Once per process (uvicorn has configured its loggers when it builds the app)."""
    log = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, QuietCallbacks) for f in log.filters):
        log.addFilter(QuietCallbacks())

"""The access log leaves out the screens' successful callback requests and keeps everything else."""

from __future__ import annotations

import logging

from dashboard.access_log import QuietCallbacks


def _line(path: str, status: int, method: str = "POST") -> logging.LogRecord:
    return logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", method, path, "1.1", status), None,
    )  # fmt: skip


def test_successful_callbacks_are_left_out_and_the_rest_kept() -> None:
    quiet = QuietCallbacks()
    assert not quiet.filter(_line("/_dash-update-component", 200))
    assert not quiet.filter(_line("/_dash-update-component", 204))
    assert quiet.filter(_line("/_dash-update-component", 400))
    assert quiet.filter(_line("/_dash-update-component", 500))
    assert quiet.filter(_line("/wall", 200, "GET"))
    assert quiet.filter(_line("/open311/v2/requests.json", 201))
    assert quiet.filter(logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, "plain", None, None))

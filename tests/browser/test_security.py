"""Cross-site protections that need the real server: Dash's callback websocket refuses a foreign Origin."""

from __future__ import annotations

import asyncio

import pytest
import websockets

from tests.support.app import AppServer
from tests.support.threads import off_the_loop


async def _handshake(url: str, origin: str) -> bool:
    try:
        async with websockets.connect(url, origin=origin, open_timeout=5) as ws:  # type: ignore[arg-type]
            await ws.ping()
            await asyncio.wait_for(ws.recv(), timeout=1)
            return True
    except TimeoutError:
        return True  # open and quiet: accepted
    except (websockets.exceptions.InvalidStatus, websockets.exceptions.ConnectionClosed, OSError):
        return False


@pytest.mark.parametrize(("origin", "accepted"), [("http://evil.example", False), (None, True)])
def test_callback_websocket_checks_origin(app_server: AppServer, origin: str | None, accepted: bool) -> None:
    url = app_server.base.replace("http://", "ws://") + "/_dash-ws-callback"
    own = app_server.base
    assert off_the_loop(asyncio.run, _handshake(url, origin or own), timeout=30) is accepted

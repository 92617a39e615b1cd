"""The services of the running app (settings, engine), set once by ``create_app``; callbacks read them here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio.to_thread
from sqlalchemy import Connection, Engine

from dashboard.settings import Settings

T = TypeVar("T")


@dataclass
class Services:
    settings: Settings
    engine: Engine


_services: Services | None = None


def install(services: Services) -> None:
    global _services
    _services = services


def services() -> Services:
    if _services is None:
        raise RuntimeError("the app is not set up: call dashboard.app.create_app first")
    return _services


def read(fn: Callable[[Connection], T]) -> T:
    """Run a read query in its own short transaction (call from a worker thread)."""
    with services().engine.connect() as conn:
        return fn(conn)


def write(fn: Callable[[Connection], T]) -> T:
    """Run a write in one transaction: committed on success, rolled back on any error."""
    with services().engine.begin() as conn:
        return fn(conn)


async def aread(fn: Callable[[Connection], T]) -> T:
    """``read`` off the event loop: Dash runs callbacks on the loop, blocking I/O must not."""
    return await anyio.to_thread.run_sync(read, fn)


async def awrite(fn: Callable[[Connection], T]) -> T:
    return await anyio.to_thread.run_sync(write, fn)

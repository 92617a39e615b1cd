"""HTTP APIs beside the Dash app (thin, like callbacks): each module's router is mounted by ``install_api``.

Routers must be mounted before Dash adds its catch-all route; each API ends with its own ``/{rest:path}`` route
answering 404 in that API's error format.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

from fastapi import FastAPI

if TYPE_CHECKING:  # the app object imports this package's settings module
    from dashboard.runtime import Services


def install_api(server: FastAPI, ops: Services) -> None:
    """Mount the router of every module in this package that defines ``make_router(ops)`` (the app object)."""
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        make_router = getattr(module, "make_router", None)
        if make_router is not None:
            server.include_router(make_router(ops))

"""ASGI entry point for uvicorn: ``uvicorn --factory dashboard.asgi:make_server``."""

from __future__ import annotations

from fastapi import FastAPI

from dashboard import access_log
from dashboard.app import create_server
from dashboard.settings import get_settings
from db.media import release_large_buffers


def make_server() -> FastAPI:
    release_large_buffers()  # photos are decoded in this process
    access_log.install()
    return create_server(get_settings())

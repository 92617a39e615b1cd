"""ASGI entry point for uvicorn: ``uvicorn --factory dashboard.asgi:make_server``."""

from __future__ import annotations

from fastapi import FastAPI

from dashboard.app import create_server
from dashboard.settings import get_settings
from db.media import release_large_buffers


def make_server() -> FastAPI:
    release_large_buffers()  # photos are decoded in this process
    return create_server(get_settings())

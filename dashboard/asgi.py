"""ASGI entry point for uvicorn: ``uvicorn --factory dashboard.asgi:make_server``."""

from __future__ import annotations

from fastapi import FastAPI

from dashboard.app import create_server
from dashboard.settings import get_settings


def make_server() -> FastAPI:
    return create_server(get_settings())

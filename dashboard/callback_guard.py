"""Checks the body of every Dash callback request (``POST …/_dash-update-component``) before Dash sees it.

Anyone can send such a POST by hand. Dash itself answers a body that is not JSON, has the wrong shape or names
no callback with a 500 (a ``TypeError``/``KeyError`` deep inside); here those get a 400 with a bilingual message
and one log line. A well-formed body is passed on unchanged. (:func:`bad_form` does the same for the form
routes beside Dash.)

Checked: a JSON object sent as ``application/json``; ``output`` a string naming a registered callback; ``outputs`` an object or a list;
``inputs`` (and ``state``, when present) lists as long as the callback declares, each item an object with
``id`` (string or object) and ``property`` (string), or a list of such (pattern-matching ALL);
``changedPropIds`` a list of strings. Larger than :data:`MAX_BYTES`: 413."""

from __future__ import annotations

import json
import logging
from typing import Any

from dash import get_app
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("guiyang_ops.callbacks")
#: The largest callback body accepted (photos travel as data URLs in a callback).
MAX_BYTES = 128 * 1024 * 1024


class BadCallback(ValueError):
    pass


def _prop(item: Any, where: str) -> None:
    if isinstance(item, list):
        for sub in item:
            _prop(sub, where)
        return
    if not (
        isinstance(item, dict)
        and isinstance(item.get("id"), str | dict)
        and isinstance(item.get("property"), str)
    ):
        raise BadCallback(f"{where}: each item needs an id and a property")


def check_body(body: Any, callback_map: dict[str, Any]) -> None:
    """Raise :class:`BadCallback` when ``body`` is not a callback request Dash can run."""
    if not isinstance(body, dict):
        raise BadCallback("the body is not a JSON object")
    output = body.get("output")
    if not isinstance(output, str):
        raise BadCallback("output is missing")
    spec = callback_map.get(output)
    if spec is None:
        raise BadCallback("no such callback")
    if "outputs" not in body or not isinstance(body["outputs"], dict | list):
        raise BadCallback("outputs is missing")
    _prop(body["outputs"], "outputs")
    for key, required in (("inputs", True), ("state", False)):
        value = body.get(key, None if required else [])
        if not isinstance(value, list):
            raise BadCallback(f"{key} is missing")
        if len(value) != len(spec.get(key) or []):
            raise BadCallback(f"{key}: {len(value)} given, {len(spec.get(key) or [])} expected")
        for item in value:
            _prop(item, key)
    changed = body.get("changedPropIds")
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        raise BadCallback("changedPropIds is missing")


def _refuse(status: int, zh: str, en: str) -> JSONResponse:
    code = "too_large" if status == 413 else "bad_request"
    return JSONResponse({"error": code, "message": f"{zh} / {en}"}, status_code=status)


async def bad_form(request: Request, exc: Exception) -> Response:
    """FastAPI's 422 for a malformed form or JSON body of a route outside the APIs (sign-in): a 400 instead,
    bilingual, one log line. (The Open311 API answers its own in the spec's form.)"""
    log.info("%s %s refused: malformed body", request.method, request.url.path)
    return _refuse(400, "请求格式不正确。", "Malformed request.")


class CallbackGuard:
    """ASGI middleware (outside Dash's own): refuses malformed callback requests with 400."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"].endswith("/_dash-update-component")
        ):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BYTES:
                await _refuse(413, "请求过大。", "The request is too large.")(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        raw = b"".join(chunks)
        headers = dict(scope.get("headers") or [])
        try:
            if not headers.get(b"content-type", b"").startswith(b"application/json"):
                raise BadCallback("the body must be application/json")
            check_body(json.loads(raw), get_app().callback_map)
        except (ValueError, UnicodeDecodeError) as exc:  # BadCallback and json's errors alike
            log.info("callback refused: %s", str(exc)[:120])
            await _refuse(400, "回调请求格式不正确。", f"Malformed callback request: {str(exc)[:120]}")(
                scope, receive, send
            )
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

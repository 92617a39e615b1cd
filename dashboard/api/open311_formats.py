"""Open311 output: the same data as JSON or XML (by the path's suffix), UTF-8, ISO-8601 times with their zone,
errors in the spec's form ``[{"code": 400, "description": "..."}]`` / ``<errors><error>…</error></errors>``."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape  # nosec B406 # escape() writes XML output, nothing is parsed

from fastapi import Request
from fastapi.responses import Response

from geo.crs import TZ

FORMATS = ("json", "xml")
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
#: XML element of one item of a list, by the list's element name.
ITEM = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "tasks": "task",
    "feedback_items": "feedback",
    "history": "entry",
    "subscriptions": "subscription",
    "events": "event",
    "service_code": "code",
}
_XML_BAD = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TAG = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def output_format(request: Request) -> str:
    """``json`` or ``xml`` from the path's suffix (a FastAPI dependency; adds nothing to the OpenAPI)."""
    return "xml" if request.url.path.endswith(".xml") else "json"


def language(request: Request, locale: str | None, default: str = "zh") -> str:
    """``zh`` or ``en``: the ``locale`` parameter, else the best of Accept-Language, else ``default``."""
    if locale:
        return "en" if locale.strip().lower().startswith("en") else "zh"
    best: tuple[float, str] | None = None
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        try:
            q = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            q = 0.0
        lang = "zh" if tag.startswith("zh") else "en" if tag.startswith("en") else None
        if lang and q > 0 and (best is None or q > best[0]):
            best = (q, lang)
    return best[1] if best else default


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with the zone, in Beijing time (``2026-03-02T10:00:00+08:00``)."""
    return value.astimezone(TZ).isoformat(timespec="seconds") if value is not None else None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(_XML_BAD.sub("", str(value)))


def _xml(name: str, value: Any, out: list[str]) -> None:
    tag = name if _TAG.match(name) else "item"
    if value is None:
        out.append(f"<{tag}/>")
    elif isinstance(value, dict):
        out.append(f"<{tag}>")
        for k, v in value.items():
            _xml(k, v, out)
        out.append(f"</{tag}>")
    elif isinstance(value, list | tuple):
        out.append(f"<{tag}>")
        for item in value:
            _xml(ITEM.get(tag, "item"), item, out)
        out.append(f"</{tag}>")
    else:
        out.append(f"<{tag}>{_text(value)}</{tag}>")


def to_xml(root: str, data: Any) -> bytes:
    out = ['<?xml version="1.0" encoding="utf-8"?>']
    _xml(root, data, out)
    return "".join(out).encode("utf-8")


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def render(
    data: Any, fmt: str, root: str, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """``data`` as JSON, or as XML under element ``root`` (lists: items named by :data:`ITEM`)."""
    if fmt == "xml":
        return Response(to_xml(root, data), status_code=status, media_type=XML_TYPE, headers=headers)
    return Response(to_json(data), status_code=status, media_type=JSON_TYPE, headers=headers)


def error(
    status: int, description: str, fmt: str = "json", headers: dict[str, str] | None = None
) -> Response:
    """The spec's error answer: a list with one error of ``code`` = the HTTP status."""
    return render([{"code": status, "description": description}], fmt, "errors", status, headers)

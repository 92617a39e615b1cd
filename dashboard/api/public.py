"""Public read endpoints (no account): the map's layers, the city's summary, report tracking and public photos.

Thin views over :mod:`db.queries.public`. Fast on a slow connection and under load:

- answers are built once and kept in the app's cache for a few seconds (:class:`AnswerCache`: one query per key
  however many clients ask at once, the previous answer served while a fresh one is computed), stored as JSON
  bytes with their gzip form and an ETag;
- responses carry ``Cache-Control: public, max-age=…``, ``ETag`` (``If-None-Match`` → 304) and are sent gzip-ed
  when the client accepts it;
- moderation clears the cache at once (:func:`clear_public_cache`), so a hidden post leaves the public map within
  the request that hid it (other worker processes within their TTL).

``/track/{ticket}.json`` is rate-limited per client (the app's ``track_limit``, shared with the page's lookup callback):
ticket numbers run in sequence, so unthrottled lookups would let a script follow every report. Over the limit:
429 with ``Retry-After``. Nothing else here is limited.

``/media/public/{id}/{thumb|full|icon}`` serves only approved photos of approved 最美贵阳 posts or public
reports. ``/media/staff/…`` serves any photo to moderators (for the moderation queue).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from PIL import Image, ImageOps
from sqlalchemy import Connection

from dashboard import auth, runtime
from dashboard.i18n import t
from dashboard.ratelimit import Decision
from dashboard.runtime import Services
from db.media import photo_paths
from db.queries import public as q
from db.queries.geo_layers import district_labels
from geo.bbox import parse_bbox
from ops import moderation
from ops.policy import sees_any_photo

log = logging.getLogger("guiyang_ops.public")
T = TypeVar("T")
PREFIX = "/public/v1"
#: (cache seconds in this process, extra seconds an old answer may be served while refreshing, HTTP max-age)
POLICY: dict[str, tuple[float, float, int]] = {
    "beauty": (5, 5, 10),
    "points": (5, 5, 10),
    "snapshot": (10, 60, 0),
    "reports": (10, 60, 30),
    "summary": (30, 120, 60),
    "track": (5, 0, 10),
    "cats": (300, 3600, 300),
    "basemap": (600, 3600, 3600),
    "grid": (600, 3600, 3600),
    "photo": (10, 0, 60),
}
ICON_PX = 96


async def clear_public_cache() -> None:
    """Forget every cached public answer (call after any moderation change): in this process at once, in every
    other worker process through PostgreSQL (:meth:`dashboard.runtime.Services.bust`)."""
    await runtime.services().bust("public")


async def cached(kind: str, key: Hashable, fn: Callable[[Connection], T]) -> T:
    """``fn`` read in a worker thread, shared and cached under (kind, key) with the kind's policy."""
    ttl, grace, _ = POLICY[kind]
    return await runtime.services().caches.public.get((kind, key), ttl, grace, lambda: runtime.aview(fn))


@dataclass(frozen=True)
class Body:
    raw: bytes
    gz: bytes
    etag: str


def encode(payload: str | Any, *, compact: bool = False) -> Body:
    """JSON bytes without the blanks PostgreSQL puts in (``compact``: the text already has none), their gzip
    form and an ETag (in a worker thread)."""
    if compact and isinstance(payload, str):
        data = payload.encode()
    else:
        value = json.loads(payload) if isinstance(payload, str) else payload
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return Body(
        data,
        gzip.compress(data, compresslevel=6),
        '"' + hashlib.sha1(data, usedforsecurity=False).hexdigest()[:20] + '"',
    )


async def cached_body(kind: str, key: Hashable, fn: Callable[[Connection], Any]) -> Body:
    """Like :func:`cached`, but keeps the encoded answer (JSON bytes, gzip, ETag), built in the worker thread."""
    ttl, grace, _ = POLICY[kind]
    answers = runtime.services().caches.public
    return await answers.get(("body", kind, key), ttl, grace, lambda: runtime.aview(lambda c: encode(fn(c))))


def respond(request: Request, body: Body, max_age: int, status: int = 200) -> Response:
    headers = {
        "Cache-Control": f"public, max-age={max_age}",
        "ETag": body.etag,
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
    }
    if status == 200 and body.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(body.gz, status_code=status, media_type="application/json", headers=headers)
    return Response(body.raw, status_code=status, media_type="application/json", headers=headers)


def not_found(message: str = "not found") -> JSONResponse:
    return JSONResponse({"error": "not_found", "message": message}, status_code=404)


async def check_track(peer: str | None, forwarded: list[str]) -> Decision:
    """Take one ticket lookup from the client's allowance (hits, misses and malformed numbers alike): the app's
    limit (:attr:`dashboard.runtime.Services.track_limit`), page and API together, counted for every worker
    process together."""
    app = runtime.services()
    return await app.limit("track", app.track_limit, peer, forwarded)


def too_many(retry_after: int) -> JSONResponse:
    message = " / ".join(t("pub.track.too_many", lang, n=retry_after) for lang in ("zh", "en"))
    return JSONResponse(
        {"error": "rate_limited", "message": message, "retry_after": retry_after},
        status_code=429,
        headers={"Retry-After": str(retry_after), "Cache-Control": "no-store"},
    )


def _icon(thumb: Path) -> bytes:
    """A small square JPEG for a photo marker, cut from the thumbnail."""
    with Image.open(thumb) as im:
        icon = ImageOps.fit(im.convert("RGB"), (ICON_PX, ICON_PX))
        out = io.BytesIO()
        icon.save(out, format="JPEG", quality=72)
        return out.getvalue()


async def photo_response(
    request: Request, media: Path, photo_id: int, path: str, mime: str, sha: str, variant: str, cache: str
) -> Response:
    full, thumb = photo_paths(media, sha, mime)
    etag = f'"{sha[:20]}-{variant}"'
    headers = {"Cache-Control": cache, "ETag": etag, "X-Content-Type-Options": "nosniff"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if variant == "icon":
        icons = runtime.services().caches.icons
        data = icons.get(sha)
        if data is None:
            if not thumb.exists():
                return not_found()
            data = icons.put(sha, await anyio.to_thread.run_sync(_icon, thumb))
        return Response(data, media_type="image/jpeg", headers=headers)
    file, media_type = (thumb, "image/jpeg") if variant == "thumb" else (media / path, mime)
    if not file.exists():
        log.warning("photo %s: file missing (%s)", photo_id, file)
        return not_found()
    return FileResponse(file, media_type=media_type, headers=headers)


def make_router(ops: Services) -> APIRouter:
    settings = ops.settings
    router = APIRouter(include_in_schema=False)
    media = settings.media_path

    @router.get(PREFIX + "/beauty.json")
    async def beauty(request: Request) -> Response:
        body = await cached_body("beauty", None, q.beauty_geojson)
        return respond(request, body, POLICY["beauty"][2])

    @router.get(PREFIX + "/service-points.json")
    async def service_points(request: Request, kind: str | None = None) -> Response:
        kinds = tuple(q.clean_kinds(kind)) if kind else q.SERVICE_KINDS
        body = await cached_body("points", kinds, lambda c: q.service_points_geojson(c, list(kinds)))
        return respond(request, body, POLICY["points"][2])

    @router.get(PREFIX + "/reports.json")
    async def reports(request: Request, bbox: str | None = None, zoom: int | None = None) -> Response:
        box = parse_bbox(bbox) if bbox else q.CITY_BBOX
        if box is None:
            return JSONResponse(
                {"error": "invalid", "message": "bbox=west,south,east,north"}, status_code=400
            )
        level, snapped = q.report_level(*box, zoom=zoom)

        async def render() -> Body:
            snap = await cached("snapshot", None, q.report_snapshot)
            # a few at a time: renders hold the GIL, the event loop must keep answering
            async with runtime.services().rendering:
                return await anyio.to_thread.run_sync(
                    lambda: encode(q.render_reports(snap, *snapped, level), compact=True)
                )

        ttl, grace, _ = POLICY["reports"]
        body = await runtime.services().caches.public.get(
            ("body", "reports", level, snapped), ttl, grace, render
        )
        return respond(request, body, POLICY["reports"][2])

    @router.get(PREFIX + "/grid.json")
    async def grid(request: Request, bbox: str | None = None) -> Response:
        box = parse_bbox(bbox)
        snapped = q.grid_bbox(*box) if box else None
        if snapped is None:
            return JSONResponse(
                {"error": "invalid", "message": "bbox of at most 0.04° × 0.04°"}, status_code=400
            )
        body = await cached_body("grid", snapped, lambda c: q.grid_geojson(c, *snapped))
        return respond(request, body, POLICY["grid"][2])

    @router.get(PREFIX + "/summary.json")
    async def summary(request: Request) -> Response:
        body = await cached_body("summary", None, q.summary)
        return respond(request, body, POLICY["summary"][2])

    @router.get(PREFIX + "/basemap.json")
    async def basemap(request: Request) -> Response:
        body = await cached_body("basemap", None, q.basemap_geojson)
        return respond(request, body, POLICY["basemap"][2])

    @router.get(PREFIX + "/district-labels.json")
    async def district_label_points(request: Request) -> Response:
        # where every map writes a district's name (geo.labels): public names and points, nothing else
        body = await cached_body("basemap", "labels", district_labels)
        return respond(request, body, POLICY["basemap"][2])

    @router.get(PREFIX + "/track/{ticket}.json")
    async def track(request: Request, ticket: str) -> Response:
        peer = request.client.host if request.client else None
        decision = await check_track(peer, request.headers.getlist("x-forwarded-for"))
        if not decision.allowed:
            return too_many(decision.retry_after)
        number = q.normalize_ticket(ticket)
        if number is None:
            return not_found("no such ticket")
        result = await cached("track", number, lambda c: q.track(c, number))
        if result is None:
            return not_found("no such ticket")
        return respond(request, encode(result), POLICY["track"][2])

    @router.get(PREFIX + "/{rest:path}")
    async def unknown(rest: str) -> JSONResponse:
        return not_found()

    @router.get("/media/public/{photo_id}/{variant}")
    async def public_media(request: Request, photo_id: int, variant: str) -> Response:
        if variant not in ("thumb", "full", "icon"):
            return not_found()
        photo = await cached("photo", photo_id, lambda c: q.public_photo(c, photo_id))
        if photo is None:
            return not_found()
        cache = f"public, max-age={POLICY['photo'][2]}"
        return await photo_response(
            request, media, photo_id, photo.path, photo.mime, photo.sha256, variant, cache
        )

    @router.get("/media/staff/{photo_id}/{variant}")
    async def staff_media(request: Request, photo_id: int, variant: str) -> Response:
        user = await auth.acurrent_user()
        if user is None or not sees_any_photo(user.role) or variant not in ("thumb", "full", "icon"):
            return not_found()
        photo = await runtime.aread(lambda c: moderation.photo_file(c, photo_id))
        if photo is None:
            return not_found()
        return await photo_response(
            request, media, photo_id, photo.path, photo.mime, photo.sha256, variant, "private, max-age=60"
        )

    @router.get("/media/public/{rest:path}")
    async def unknown_public_media(rest: str) -> JSONResponse:
        return not_found()

    return router

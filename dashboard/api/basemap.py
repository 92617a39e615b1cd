"""``/basemap/v1/{version}/{z}/{x}/{y}.pbf``: the city's own basemap as Mapbox vector tiles, from PostGIS
(:mod:`db.queries.basemap`), drawn in the browser by ``assets/basemap.js``.

The path holds no ``tiles`` segment on purpose: it is our own data, not an outside tile server. ``version`` is the
latest import's id: a tile of the current version is cached by the browser for a week (``immutable``: a new import
changes every URL), a tile asked for under an older version is answered with today's data for a minute. Tiles are
kept in this process (an :class:`AnswerCache` of a few thousand, one query per tile however many ask at once) and
sent gzip-ed when the client accepts it. The basemap holds no personal data: anyone may read it unless
``GUIYANG_BASEMAP_PUBLIC`` is false, then only signed-in staff (401 otherwise).
"""

from __future__ import annotations

import gzip

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from dashboard import auth, runtime
from dashboard.answer_cache import AnswerCache
from dashboard.runtime import Services
from db.queries.basemap import basemap_info, tile, valid_tile

PREFIX = "/basemap/v1"
MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
#: seconds a tile stays in this process; an import is seen by a new version in the URL at once
TILE_TTL = 3600
INFO_TTL = 5
CACHE_TILES = 4096
MAX_AGE_CURRENT = 7 * 86400
MAX_AGE_OTHER = 60


def make_router(ops: Services) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    tiles = AnswerCache(max_entries=CACHE_TILES)
    public = ops.settings.basemap_public

    async def current_version() -> int:
        info = await tiles.get("info", INFO_TTL, 0, lambda: runtime.aview(basemap_info))
        return info.version if info is not None else 0

    async def encoded(version: int, z: int, x: int, y: int) -> tuple[bytes, bytes]:
        async def compute() -> tuple[bytes, bytes]:
            raw = await runtime.aview(lambda c: tile(c, z, x, y))
            return raw, await anyio.to_thread.run_sync(gzip.compress, raw, 6)

        return await tiles.get((version, z, x, y), TILE_TTL, 0, compute)

    @router.get(PREFIX + "/{version}/{z}/{x}/{y}.pbf")
    async def basemap_tile(request: Request, version: int, z: int, x: int, y: int) -> Response:
        if not public and await auth.acurrent_user() is None:
            return JSONResponse(
                {"error": "unauthorized", "message": "请先登录 / Sign in first"}, status_code=401
            )
        if not valid_tile(z, x, y):
            return JSONResponse({"error": "not_found", "message": "no such tile / 无此瓦片"}, status_code=404)
        current = await current_version()
        raw, gz = await encoded(current, z, x, y)
        max_age = MAX_AGE_CURRENT if version == current and current else MAX_AGE_OTHER
        headers = {
            "Cache-Control": f"{'public' if public else 'private'}, max-age={max_age}"
            + (", immutable" if max_age == MAX_AGE_CURRENT else ""),
            "ETag": f'"bm{current}-{z}-{x}-{y}"',
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
        }
        if headers["ETag"] in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        if raw and "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(gz, media_type=MEDIA_TYPE, headers=headers)
        return Response(raw, media_type=MEDIA_TYPE, headers=headers)

    @router.get(PREFIX + "/info.json")
    async def basemap_about() -> Response:
        """The current version and attribution (what ``assets/basemap.js`` builds its tile URL from)."""
        if not public and await auth.acurrent_user() is None:
            return JSONResponse({"version": 0, "attribution": ""}, headers={"Cache-Control": "no-store"})
        info = await tiles.get("info", INFO_TTL, 0, lambda: runtime.aview(basemap_info))
        body = (
            {"version": info.version, "attribution": info.attribution}
            if info
            else {"version": 0, "attribution": ""}
        )
        return JSONResponse(body, headers={"Cache-Control": "no-cache"})

    return router

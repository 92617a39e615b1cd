"""``/media/photo/{id}/{thumb|full}``: a stored photo with access control (mounted on the Open311 router, whose
catch-all answers other ``/media/photo/`` paths). Who may see which photo is decided in
:func:`ops.citizen.photos.photo_file`; a photo the user may not see answers 404 exactly like a missing one."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from dashboard import auth, runtime
from dashboard.api.open311_formats import error
from dashboard.api.open311_routing import Api
from ops.citizen.photos import photo_file

SIZES = ("thumb", "full")


def add_routes(router: APIRouter, api: Api) -> None:
    @router.get("/media/photo/{photo_id}/{size}", include_in_schema=False)
    async def photo(photo_id: str, size: str) -> Response:
        """A photo (``full``) or its thumbnail (``thumb``): public ones to anyone, the others to staff who may
        see the photo's case, and to moderators."""
        if not photo_id.isdigit() or len(photo_id) > 18 or size not in SIZES:
            return error(404, "Not found.")
        viewer = await auth.acurrent_user()
        found = await runtime.aread(
            lambda c: photo_file(c, api.media_dir, int(photo_id), viewer, thumb=size == "thumb")
        )
        if found is None or not found.path.is_file():
            return error(404, "Not found.")
        cache = "public, max-age=86400" if found.public else "private, no-store"
        return FileResponse(
            found.path,
            media_type=found.mime,
            headers={"Cache-Control": cache, "X-Content-Type-Options": "nosniff"},
        )

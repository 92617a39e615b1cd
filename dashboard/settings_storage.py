"""The storage part of the app's settings (:class:`dashboard.settings.Settings`, whose environment variables,
``GUIYANG_`` prefix and ``.env`` file they share): the database (primary, owner role, read replica), the
project's own cluster and its var/ directory, media and backups, and the limits of uploaded photos
(:mod:`db.media`). A plain model whose fields ``Settings`` inherits; never built on its own."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field

from db import media

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class StorageFields(BaseModel):
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "GUIYANG_DATABASE_URL"),
        description="PostGIS server to use (postgresql://user:pass@host:port/db). Unset: the project's own "
        "cluster under var/pg, started on demand.",
    )
    owner_database_url: str | None = Field(
        default=None,
        description="With DATABASE_URL (the app role's URL): the URL of the role that owns the tables, for the "
        "migrations and the admin commands (setup, migrate, load-reference, import-layer, seed-demo, user add, "
        "api-key). Unset: the admin commands use DATABASE_URL too. The project's own cluster has both roles.",
    )
    database_name: str = Field("guiyang_ops", description="Database name in the project's own cluster.")
    var_dir: Path = Field(PROJECT_ROOT / "var", description="Where the local cluster, media and logs live.")
    pg_port: int = Field(54329, description="Port (and socket name) of the project's own PostgreSQL cluster.")
    read_database_url: str | None = Field(
        None,
        description="A read replica of the database (the app role's URL): the read-only screens (wall, public map "
        "and API, OGC API, stats, analysis) read there while it is up and close behind, else from the primary.",
    )
    read_replica: Literal["off", "local"] = Field(
        "off",
        description="local: the read replica is the project's own standby (guiyang-ops db replica up), so "
        "GUIYANG_READ_DATABASE_URL need not be written by hand; off: only GUIYANG_READ_DATABASE_URL.",
    )
    read_max_lag_seconds: float = Field(
        10.0,
        ge=0.5,
        le=3600,
        description="Reads go back to the primary while the read replica is this many seconds behind (or down), "
        "and return to it when it has caught up (checked at most once a second).",
    )
    media_dir: Path | None = Field(None, description="Where uploaded photos are stored (default: var/media).")
    backup_dir: Path | None = Field(
        None,
        description="Where the project's cluster archives its WAL (wal/) and guiyang-ops db backup writes base "
        "backups (base/); 0700, files 0600: backups hold personal data (default: var/backup).",
    )
    backup_keep: int = Field(
        3,
        ge=1,
        le=1000,
        description="Base backups kept by guiyang-ops db backup (after each backup, and --prune), with the WAL "
        "they need; older ones are removed.",
    )
    image_max_pixels: int = Field(
        media.MAX_PIXELS,
        ge=1_000_000,
        le=2 * media.MAX_PIXELS,
        description="Most pixels (width x height, read from the header before decoding) of an uploaded photo; "
        "more is refused (400).",
    )
    image_max_side: int = Field(
        media.MAX_SIDE, ge=1000, le=16_384, description="Longest side of an uploaded photo, in pixels."
    )
    image_max_stored_side: int = Field(
        media.MAX_STORED_SIDE,
        ge=640,
        le=16_384,
        description="Photos are stored no larger than this on their long side (a JPEG is decoded at a reduced "
        "scale when it would be stored smaller anyway).",
    )
    image_max_request_pixels: int = Field(
        media.MAX_REQUEST_PIXELS,
        ge=1_000_000,
        description="Most pixels of all photos of one request together (from their headers, before decoding).",
    )
    image_concurrent: int = Field(
        media.CONCURRENT,
        ge=1,
        le=32,
        description="Photos decoded at once in one server process: what bounds the memory of image work.",
    )
    image_wait_s: float = Field(
        media.WAIT_S,
        gt=0,
        le=120,
        description="How long a photo waits for a decoding slot before the request is answered 503 (busy).",
    )
    image_max_photos: int = Field(
        media.MAX_PHOTOS,
        ge=1,
        le=50,
        description="Most photos of one report, one verification answer or one handling (Open311 and workbench).",
    )

    @property
    def media_path(self) -> Path:
        """Where photos are stored: ``media_dir`` (``Settings`` makes it var/media when unset)."""
        assert self.media_dir is not None  # nosec B101 # type narrowing for mypy, not a security check
        return self.media_dir

    def image_limits(self) -> media.ImageLimits:
        return media.ImageLimits(
            max_pixels=self.image_max_pixels,
            max_side=self.image_max_side,
            max_stored_side=self.image_max_stored_side,
            max_request_pixels=self.image_max_request_pixels,
            concurrent=self.image_concurrent,
            wait_s=self.image_wait_s,
            max_photos=self.image_max_photos,
        )

"""A citizen's report through the API (我要举报): validate everything first (service, attributes, photos),
then in the caller's one transaction: the idempotency key, the reporter's person, ``workflow.report``, the
photos (``db.media.store_photo``) and what else came with it (``case_intake``). Any error leaves nothing."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, text

from db.errors import ValidationError
from db.media import DEFAULT_LIMITS, CleanPhoto, ImageLimits, clean_photos, sniff, store_photo
from geo.crs import gcj02_to_wgs84
from ops import workflow
from ops.citizen import idempotency
from ops.citizen.persons import ReporterIdentity, clean_identity, person_for_reporter
from ops.citizen.services import check_attributes, service_questions
from ops.workflow import Actor

MAX_URL = 1000
COORDINATE_SYSTEMS = ("wgs84", "gcj02")


@dataclass(frozen=True)
class ReportRequest:
    service_code: str
    lon: float
    lat: float
    coordinate_system: str = "wgs84"
    description: str = ""
    address: str | None = None
    media_url: str | None = None
    attributes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    identity: ReporterIdentity = field(default_factory=ReporterIdentity)
    photos: Sequence[bytes | CleanPhoto] = ()  # cleaned ahead (outside the transaction) or here


@dataclass(frozen=True)
class ReportReceipt:
    case_id: int
    ticket: str
    photo_ids: tuple[int, ...]
    replayed: bool = False


def to_wgs84(lon: float, lat: float, coordinate_system: str) -> tuple[float, float]:
    """The stored WGS-84 point of a submitted one; GCJ-02 (AMap, Tencent, WeChat) is converted here."""
    if coordinate_system not in COORDINATE_SYSTEMS:
        raise ValidationError(
            "坐标系只能是 wgs84 或 gcj02。",
            "coordinate_system must be wgs84 or gcj02.",
            field="coordinate_system",
        )
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError(
            "经纬度无效（lat 在 -90 到 90 之间，long 在 -180 到 180 之间）。",
            "lat/long are not valid (lat from -90 to 90, long from -180 to 180).",
            field="lat",
        )
    if coordinate_system == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    return lon, lat


def check_media_url(url: str | None) -> str | None:
    if url is None or not url.strip():
        return None
    cleaned = url.strip()
    parts = urlsplit(cleaned)
    if len(cleaned) > MAX_URL or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(
            "media_url 须为 http(s) 网址。", "media_url must be an http(s) URL.", field="media_url"
        )
    return cleaned


def check_photos(
    photos: Sequence[bytes | CleanPhoto],
    max_bytes: int,
    *,
    required: bool = False,
    limits: ImageLimits = DEFAULT_LIMITS,
) -> list[CleanPhoto]:
    """Every photo really is a JPEG/PNG/WebP within the size and pixel limits, decoded once and cleaned
    (nothing written yet)."""
    most = limits.max_photos
    if len(photos) > most or (required and not photos):
        raise ValidationError(
            f"请上传 1 到 {most} 张照片。", f"Please upload 1 to {most} photos.", field="media"
        )
    return clean_photos(photos, max_bytes, limits)


_EXTENSIONS = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpe": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
_TYPES = {
    "image/jpeg": "image/jpeg",
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/png": "image/png",
    "image/webp": "image/webp",
}


def check_declared_type(data: bytes, content_type: str | None, filename: str | None) -> None:
    """An upload's bytes must be the image type it claims (by content type or file name): a text file named
    ``.jpg`` or PNG bytes sent as ``image/jpeg`` are refused. Undeclared (``application/octet-stream``)
    uploads are judged by their content alone (and :func:`check_photos` decodes them fully)."""
    actual = sniff(data)
    ctype = (content_type or "").split(";")[0].strip().lower()
    declared = {_TYPES[ctype]} if ctype in _TYPES else set()
    suffix = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()
    if suffix in _EXTENSIONS:
        declared.add(_EXTENSIONS[suffix])
    if actual is None or (ctype.startswith("image/") and ctype not in _TYPES):
        raise ValidationError(
            "只接受 JPEG、PNG 或 WebP 图片。", "Only JPEG, PNG or WebP images are accepted.", field="media"
        )
    if declared and declared != {actual}:
        raise ValidationError(
            "图片内容与声明的类型不符。",
            f"The image content ({actual}) does not match its declared type ({', '.join(sorted(declared))}).",
            field="media",
        )


def fingerprint(req: ReportRequest) -> str:
    """What makes two POSTs "the same request" for an ``Idempotency-Key``."""
    return idempotency.request_hash(
        {
            "service_code": req.service_code,
            "point": [req.lon, req.lat, req.coordinate_system],
            "description": req.description,
            "address": req.address,
            "media_url": req.media_url,
            "attributes": {k: list(v) for k, v in req.attributes.items()},
            "identity": [
                req.identity.account_id,
                req.identity.email,
                req.identity.phone,
                req.identity.first_name,
                req.identity.last_name,
                req.identity.device_id,
            ],
            "photos": [
                p.source_sha256 if isinstance(p, CleanPhoto) else hashlib.sha256(p).hexdigest()
                for p in req.photos
            ],
        }
    )


_INTAKE = text(
    "INSERT INTO case_intake (case_id, api_key_id, attributes, media_urls, device_id, coordinate_system) "
    "VALUES (:case, :key, CAST(:attrs AS jsonb), :urls, :device, :crs)"
)


def submit_report(
    conn: Connection,
    req: ReportRequest,
    *,
    api_key_id: int,
    media_dir: Path,
    max_photo_bytes: int,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    limits: ImageLimits = DEFAULT_LIMITS,
) -> ReportReceipt:
    """File a citizen's report; see the module docstring. Raises a :class:`db.errors.DomainError`."""
    lon, lat = to_wgs84(req.lon, req.lat, req.coordinate_system)
    identity = clean_identity(req.identity)
    media_url = check_media_url(req.media_url)
    photos = check_photos(req.photos, max_photo_bytes, limits=limits)
    questions = service_questions(conn, req.service_code)
    answers = check_attributes(questions, req.attributes)

    claim = None
    if idempotency_key is not None:
        claim = idempotency.claim(conn, api_key_id, idempotency_key, fingerprint(req))
        if claim.replay is not None:
            r = claim.replay
            return ReportReceipt(int(r["case_id"]), str(r["ticket"]), tuple(r.get("photo_ids", ())), True)

    person_id = person_for_reporter(conn, identity)
    actor = Actor.citizen(person_id) if person_id is not None else Actor.system()
    result = workflow.report(
        conn,
        actor,
        category_code=req.service_code,
        lon=lon,
        lat=lat,
        description=req.description,
        source="app",
        address=req.address,
        reporter_id=person_id,
        now=now,
    )
    photo_ids = tuple(
        store_photo(conn, media_dir, photo, kind="report", case_id=result.id, person_id=person_id).id
        for photo in photos
    )
    conn.execute(
        _INTAKE,
        {
            "case": result.id,
            "key": api_key_id,
            "attrs": json.dumps(answers, ensure_ascii=False),
            "urls": [media_url] if media_url else [],
            "device": identity.device_id,
            "crs": req.coordinate_system,
        },
    )
    receipt = ReportReceipt(result.id, result.ticket, photo_ids)
    if claim is not None and claim.key_id is not None:
        response: dict[str, Any] = {
            "case_id": result.id,
            "ticket": result.ticket,
            "photo_ids": list(photo_ids),
        }
        idempotency.remember(conn, claim.key_id, response, result.id)
    return receipt

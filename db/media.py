"""Photo storage: verify the bytes really are an image of an allowed type, strip metadata by re-encoding,
store by content hash with a thumbnail, and record a ``photo`` row (in the caller's transaction).

Never falls back to storing the original bytes: anything Pillow cannot open and re-encode is refused.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps
from sqlalchemy import Connection, text

from db.errors import ValidationError

MAGIC = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
FORMATS = {"image/jpeg": ("JPEG", ".jpg"), "image/png": ("PNG", ".png"), "image/webp": ("WEBP", ".webp")}
MAX_PIXELS = 40_000_000
THUMB = (320, 320)
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class StoredPhoto:
    id: int
    sha256: str
    path: str
    mime: str
    width: int
    height: int


def sniff(data: bytes) -> str | None:
    for magic, mime in MAGIC.items():
        if data.startswith(magic):
            return mime
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _bad(zh: str, en: str, detail: str = "") -> ValidationError:
    return ValidationError(zh, en, detail=detail, field="media")


def clean_image(data: bytes, max_bytes: int) -> tuple[bytes, bytes, str, int, int]:
    """Return (clean bytes, thumbnail JPEG bytes, mime, width, height) or raise ValidationError."""
    if not data:
        raise _bad("照片为空。", "The photo is empty.")
    if len(data) > max_bytes:
        raise _bad(
            f"照片过大（最大 {max_bytes // 1_000_000} MB）。",
            f"The photo is too large (max {max_bytes // 1_000_000} MB).",
        )
    mime = sniff(data)
    if mime is None:
        raise _bad("只接受 JPEG、PNG 或 WebP 图片。", "Only JPEG, PNG or WebP images are accepted.")
    fmt, _ = FORMATS[mime]
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format != fmt:
                raise _bad(
                    "图片内容与其类型不符。", "The image content does not match its type.", str(opened.format)
                )
            opened.load()
            im: Image.Image = ImageOps.exif_transpose(opened)
            if fmt == "JPEG" and im.mode not in ("RGB", "L"):
                im = im.convert("RGB")
            out = io.BytesIO()
            params = {"quality": 88} if fmt in ("JPEG", "WEBP") else {}
            im.save(out, format=fmt, **params)  # a fresh encode carries no EXIF, XMP or GPS data
            thumb = im.convert("RGB")
            thumb.thumbnail(THUMB)
            tout = io.BytesIO()
            thumb.save(tout, format="JPEG", quality=80)
            return out.getvalue(), tout.getvalue(), mime, im.width, im.height
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bad("图片像素过多。", "The image has too many pixels.", repr(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - any decoder failure means: not a usable image
        raise _bad(
            "无法读取该图片，文件可能已损坏。",
            "The image cannot be read; the file may be damaged.",
            repr(exc),
        ) from exc


def photo_paths(media_dir: Path, sha: str, mime: str) -> tuple[Path, Path]:
    ext = FORMATS[mime][1]
    base = media_dir / sha[:2] / sha[2:4]
    return base / f"{sha}{ext}", base / f"{sha}.thumb.jpg"


def store_photo(
    conn: Connection,
    media_dir: Path,
    data: bytes,
    *,
    kind: str,
    case_id: int | None = None,
    approved: bool = False,
    user_id: int | None = None,
    person_id: int | None = None,
    max_bytes: int = 10_000_000,
) -> StoredPhoto:
    """Clean and store one image; the row is in the caller's transaction. Files are content-addressed, so a
    rolled-back transaction leaves at most an unreferenced file that the next identical upload reuses."""
    clean, thumb, mime, width, height = clean_image(data, max_bytes)
    sha = hashlib.sha256(clean).hexdigest()
    path, tpath = photo_paths(media_dir, sha, mime)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(clean)
        tmp.replace(path)
        tpath.write_bytes(thumb)
    rel = str(path.relative_to(media_dir))
    pid = conn.execute(
        text(
            "INSERT INTO photo (case_id, kind, sha256, path, mime, size_bytes, width, height, approved, "
            "uploaded_by_user_id, uploaded_by_person_id) VALUES (:case, :kind, :sha, :path, :mime, :size, :w, :h, "
            ":approved, :uid, :pid) RETURNING id"
        ),
        {
            "case": case_id,
            "kind": kind,
            "sha": sha,
            "path": rel,
            "mime": mime,
            "size": len(clean),
            "w": width,
            "h": height,
            "approved": approved,
            "uid": user_id,
            "pid": person_id,
        },
    ).scalar_one()
    return StoredPhoto(int(pid), sha, rel, mime, width, height)

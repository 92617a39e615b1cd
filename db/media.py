"""Photo storage: verify the bytes really are an image of an allowed type, strip metadata by re-encoding,
store by content hash with a thumbnail, and record a ``photo`` row (in the caller's transaction).

Never falls back to storing the original bytes: anything Pillow cannot open and re-encode is refused.
"""

from __future__ import annotations

import ctypes
import hashlib
import io
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps
from sqlalchemy import Connection, text

from db.durable_file import write_durably
from db.errors import Busy, DomainError, ValidationError

MAGIC = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
FORMATS = {"image/jpeg": ("JPEG", ".jpg"), "image/png": ("PNG", ".png"), "image/webp": ("WEBP", ".webp")}
THUMB = (320, 320)
KEEP_INFO = ("icc_profile", "transparency")  # what a re-encode keeps: colours, not comments, EXIF or XMP

# defaults of the GUIYANG_IMAGE_* settings (dashboard/settings.py declares and documents them)
MAX_PIXELS = 40_000_000
MAX_SIDE = 12_000
MAX_STORED_SIDE = 4096
MAX_REQUEST_PIXELS = 120_000_000
CONCURRENT = 2
WAIT_S = 10.0
#: Most photos of one report, verification answer or handling (GUIYANG_IMAGE_MAX_PHOTOS).
MAX_PHOTOS = 9
# Pillow only warns between its limit and twice it: make that an error too (our own check in ``_open``
# refuses by the configured limit; this guards any other path into Pillow)
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)


@dataclass(frozen=True)
class ImageLimits:
    """How much image work one photo and one request may cause (the ``GUIYANG_IMAGE_*`` settings)."""

    max_pixels: int = MAX_PIXELS
    max_side: int = MAX_SIDE
    max_stored_side: int = MAX_STORED_SIDE
    max_request_pixels: int = MAX_REQUEST_PIXELS
    concurrent: int = CONCURRENT
    wait_s: float = WAIT_S
    max_photos: int = MAX_PHOTOS


DEFAULT_LIMITS = ImageLimits()


@dataclass(frozen=True)
class StoredPhoto:
    id: int
    sha256: str
    path: str
    mime: str
    width: int
    height: int


@dataclass(frozen=True)
class CleanPhoto:
    """A photo decoded once and re-encoded (no metadata), with its thumbnail; ``source_sha256`` is the hash of
    the bytes that were uploaded (what makes two uploads "the same")."""

    data: bytes
    thumb: bytes
    mime: str
    width: int
    height: int
    source_sha256: str


@dataclass(frozen=True)
class Header:
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


def _unreadable(exc: Exception) -> ValidationError:
    return _bad(
        "无法读取该图片，文件可能已损坏。", "The image cannot be read; the file may be damaged.", repr(exc)
    )


def _too_many_pixels(size: tuple[int, int] | None, limits: ImageLimits, detail: str = "") -> ValidationError:
    mpx = limits.max_pixels / 1_000_000
    zh_size, en_size = (f"{size[0]}×{size[1]}；", f"{size[0]}×{size[1]}; ") if size else ("", "")
    return _bad(
        f"图片像素过多（{zh_size}最多 {mpx:g} 百万像素，每边最多 {limits.max_side} 像素）。",
        f"The image has too many pixels ({en_size}at most {mpx:g} megapixels and "
        f"{limits.max_side} pixels a side).",
        detail or (f"{size[0]}x{size[1]}" if size else ""),
    )


def _check_bytes(data: bytes, max_bytes: int) -> tuple[str, str]:
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
    return mime, FORMATS[mime][0]


def _open(data: bytes, fmt: str, limits: ImageLimits) -> Image.Image:
    """Open (Pillow reads the header only) and refuse from the header: wrong format, too many pixels or too
    long a side. Nothing is decoded yet."""
    try:
        opened = Image.open(io.BytesIO(data), formats=[fmt])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:  # Pillow's own check
        raise _too_many_pixels(None, limits, repr(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - any parser failure means: not a usable image
        raise _unreadable(exc) from exc
    width, height = opened.size
    if width * height > limits.max_pixels or max(width, height) > limits.max_side:
        opened.close()
        raise _too_many_pixels((width, height), limits)
    return opened


def read_header(data: bytes, max_bytes: int, limits: ImageLimits = DEFAULT_LIMITS) -> Header:
    """Check a photo from its bytes and header alone (type, size, pixels); raise ValidationError."""
    mime, fmt = _check_bytes(data, max_bytes)
    with _open(data, fmt, limits) as opened:
        return Header(mime, opened.width, opened.height)


def release_large_buffers() -> None:
    """Let the C allocator give large buffers (decoded images) back to the system as soon as they are freed:
    glibc otherwise raises its mmap threshold after the first such free and keeps later ones in its arenas
    (measured: four 40 Mpx PNGs through the server peaked at +770 MB instead of +500 MB). Call once per
    server process; nothing happens off glibc."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD: fixed at 1 MB
    except (OSError, AttributeError):
        pass


_gates: dict[int, threading.BoundedSemaphore] = {}
_gates_lock = threading.Lock()


@contextmanager
def image_slot(limits: ImageLimits) -> Iterator[None]:
    """One of the process's ``limits.concurrent`` decoding slots, waited for at most ``limits.wait_s``;
    :class:`Busy` (503) when none frees up. This is what bounds the memory of images decoded at once."""
    with _gates_lock:
        gate = _gates.setdefault(limits.concurrent, threading.BoundedSemaphore(limits.concurrent))
    if not gate.acquire(timeout=limits.wait_s):
        raise Busy(
            "服务器正忙于处理其他照片，请稍后重试。",
            "The server is busy with other photos; please try again shortly.",
            detail=f"no image slot free within {limits.wait_s} s",
            field="media",
        )
    try:
        yield
    finally:
        gate.release()


def _decode(opened: Image.Image, fmt: str, limits: ImageLimits) -> Image.Image:
    """The first frame, decoded at most once and no larger than needed: a JPEG is decoded at a reduced
    scale (``draft``) when it would be stored smaller anyway; then upright and no longer side than
    ``max_stored_side``, without metadata."""
    side = limits.max_stored_side
    if fmt == "JPEG" and max(opened.size) > side:
        scale = side / max(opened.size)
        opened.draft(None, (max(1, round(opened.width * scale)), max(1, round(opened.height * scale))))
    opened.load()
    ImageOps.exif_transpose(opened, in_place=True)
    opened.info = {k: opened.info[k] for k in KEEP_INFO if k in opened.info}
    im = _fit(opened, (side, side), Image.Resampling.LANCZOS)
    if fmt == "JPEG" and im.mode not in ("RGB", "L"):
        return _replace(im, im.convert("RGB"))
    return im


def _replace(old: Image.Image, new: Image.Image) -> Image.Image:
    if new is not old:
        old.close()  # frees its pixels now, not when the last reference goes
    return new


def _fit(
    im: Image.Image, box: tuple[int, int], resample: Image.Resampling, gap: float | None = None
) -> Image.Image:
    """``im`` no larger than ``box``, one axis at a time, each larger image freed as soon as it is used: the
    peak is the source and one pass (a two-axis resize holds the source, an intermediate and the result).
    ``gap``: reduce by whole factors first (faster, for thumbnails)."""
    w, h = im.size
    f = min(box[0] / w, box[1] / h)
    if f >= 1:
        return im
    tw, th = max(1, round(w * f)), max(1, round(h * f))
    im = _replace(im, im.resize((tw, h), resample, reducing_gap=gap))
    return _replace(im, im.resize((tw, th), resample, reducing_gap=gap))


def clean_image(data: bytes, max_bytes: int, limits: ImageLimits = DEFAULT_LIMITS) -> CleanPhoto:
    """Check from the header, then decode once (in one of the process's image slots) and re-encode without
    metadata, with a thumbnail made from the same decoded image; raise ValidationError (or Busy)."""
    mime, fmt = _check_bytes(data, max_bytes)
    opened = _open(data, fmt, limits)
    try:
        with image_slot(limits):
            im = _decode(opened, fmt, limits)
            out = io.BytesIO()
            params = {"quality": 88} if fmt in ("JPEG", "WEBP") else {}
            im.save(out, format=fmt, **params)  # a fresh encode carries no EXIF, XMP or GPS data
            width, height = im.size
            src = im if im.mode in ("RGB", "RGBA", "L", "LA") else _replace(im, im.convert("RGB"))
            thumb = _fit(
                src.copy() if max(src.size) <= max(THUMB) else src, THUMB, Image.Resampling.BICUBIC, 2.0
            )
            thumb = _replace(thumb, thumb.convert("RGB")) if thumb.mode != "RGB" else thumb
            src.close()
            tout = io.BytesIO()
            thumb.save(tout, format="JPEG", quality=80)
            thumb.close()
    except DomainError:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoder failure means: not a usable image
        raise _unreadable(exc) from exc
    finally:
        opened.close()
    return CleanPhoto(out.getvalue(), tout.getvalue(), mime, width, height, hashlib.sha256(data).hexdigest())


def clean_photos(
    photos: Sequence[bytes | CleanPhoto], max_bytes: int, limits: ImageLimits = DEFAULT_LIMITS
) -> list[CleanPhoto]:
    """Every photo of one request: all headers checked first, their pixels together at most
    ``max_request_pixels``, then each decoded once, one after the other. Already clean ones pass as they are."""
    total = 0
    for p in photos:
        if isinstance(p, bytes):
            h = read_header(p, max_bytes, limits)
            total += h.width * h.height
    if total > limits.max_request_pixels:
        mpx = limits.max_request_pixels // 1_000_000
        raise _bad(
            f"照片像素合计过多（一次最多 {mpx} 百万像素）。",
            f"The photos have too many pixels together (at most {mpx} megapixels per request).",
            str(total),
        )
    return [p if isinstance(p, CleanPhoto) else clean_image(p, max_bytes, limits) for p in photos]


def photo_paths(media_dir: Path, sha: str, mime: str) -> tuple[Path, Path]:
    ext = FORMATS[mime][1]
    base = media_dir / sha[:2] / sha[2:4]
    return base / f"{sha}{ext}", base / f"{sha}.thumb.jpg"


def store_photo(
    conn: Connection,
    media_dir: Path,
    photo: bytes | CleanPhoto,
    *,
    kind: str,
    case_id: int | None = None,
    approved: bool = False,
    user_id: int | None = None,
    person_id: int | None = None,
    max_bytes: int = 10_000_000,
    limits: ImageLimits = DEFAULT_LIMITS,
) -> StoredPhoto:
    """Store one image (cleaned here unless it already is, see :func:`clean_photos`); the row is in the
    caller's transaction. Files are content-addressed, so a rolled-back transaction leaves at most an
    unreferenced file that the next identical upload reuses."""
    c = photo if isinstance(photo, CleanPhoto) else clean_image(photo, max_bytes, limits)
    clean, thumb, mime, width, height = c.data, c.thumb, c.mime, c.width, c.height
    sha = hashlib.sha256(clean).hexdigest()
    path, tpath = photo_paths(media_dir, sha, mime)
    if not path.exists():  # the photo's file is written last: when it is there, its thumbnail is too
        path.parent.mkdir(parents=True, exist_ok=True)
        write_durably(tpath, thumb)
        write_durably(path, clean)
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

"""Hostile uploads (issue 10): image bombs through the real app, watching the server process's memory.

Makes a private cluster and database (:func:`bench.trust._stack.private_stack`: migrations + reference data,
removed afterwards), its own media folder and the real app (uvicorn, one process), then sends through ``POST requests.json``:
a ~79 Mpx PNG of a few hundred KB alone (accepted? time, memory growth over idle), four of them at once
(the peak), a legitimate 12 Mpx JPEG (must be accepted) and four PNGs just under the pixel limit at once
(accepted; the peak shows the cap on decodes at once). Memory is the server's ``VmHWM``/``VmRSS`` from
``/proc/PID/status``; the peak is reset (``clear_refs``) before each step.

The bomb makers are used by the tests as well (``tests/api/test_upload_bombs.py``).
"""

from __future__ import annotations

import io
import struct
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from PIL import Image

from bench.trust import Finding
from bench.trust._stack import private_stack

POINT = (106.7135, 26.5838)  # 云岩区
GROWTH_BOUND_MB = 250  # the most the server may grow for four bombs at once
# ... and for four legitimate photos just under the pixel limit at once: two decoded at a time (the default
# GUIYANG_IMAGE_CONCURRENT), each ~250 MB at worst (a 40 Mpx PNG at 4 bytes a pixel + one resize pass)
UNDER_BOUND_MB = 600


# --- the bombs ---------------------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int, mode: str = "RGB") -> bytes:
    """A valid PNG of ``width`` x ``height`` black pixels, compressed row by row (79 Mpx RGB: ~230 KB)."""
    colour, channels = {"RGB": (2, 3), "L": (0, 1), "RGBA": (6, 4)}[mode]
    comp = zlib.compressobj(9)
    row = b"\x00" * (1 + width * channels)  # filter byte "none" + the pixels
    parts = [comp.compress(row) for _ in range(height)]
    idat = b"".join(parts) + comp.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def jpeg_with_size(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) claims ``width`` x ``height``: a header-only bomb."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 40, 40)).save(out, format="JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def webp_with_size(width: int, height: int) -> bytes:
    """A small lossless WebP whose VP8L header claims ``width`` x ``height`` (at most 16384 each)."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (40, 200, 40)).save(out, format="WEBP", lossless=True)
    data = bytearray(out.getvalue())
    at = data.index(b"VP8L") + 8
    if data[at] != 0x2F:
        raise ValueError("Pillow wrote no simple lossless WebP")
    bits = struct.unpack_from("<I", data, at + 1)[0]
    bits = (bits & ~0x0FFFFFFF) | ((width - 1) & 0x3FFF) | (((height - 1) & 0x3FFF) << 14)
    struct.pack_into("<I", data, at + 1, bits)
    return bytes(data)


def photo_jpeg(width: int = 4000, height: int = 3000) -> bytes:
    """A legitimate camera-sized JPEG (12 Mpx by default) with some structure in it."""
    grad = Image.linear_gradient("L").resize((width, height))
    im = Image.merge("RGB", (grad, grad.transpose(Image.Transpose.FLIP_LEFT_RIGHT), grad.rotate(180)))
    out = io.BytesIO()
    im.save(out, format="JPEG", quality=85)
    return out.getvalue()


# --- the server and its memory -------------------------------------------------------------------------------


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def reset_peak(pid: int) -> None:
    """Set VmHWM back to the current RSS (Linux ``clear_refs`` 5)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def post_photo(base: str, key: str, name: str, data: bytes, mime: str) -> tuple[int, float, str]:
    form = {"api_key": key, "service_code": "C0102", "lat": str(POINT[1]), "long": str(POINT[0])}
    t0 = time.perf_counter()
    resp = httpx.post(
        f"{base}/open311/v2/requests.json", data=form, files=[("media", (name, data, mime))], timeout=120
    )
    return resp.status_code, time.perf_counter() - t0, resp.text[:200]


def _mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def measure() -> list[Finding]:
    from db.engine import make_engine
    from ops.citizen.keys import create_key

    bomb = png_bomb(8900, 8900)  # 79.2 Mpx
    legit = photo_jpeg()
    found: list[Finding] = []
    with private_stack(reference=True, serve=False) as stack:
        eng = make_engine(stack.url, pool_size=1)
        with eng.begin() as conn:
            key = create_key(conn, "trust-uploads")[1]
        eng.dispose()
        stack.serve(GUIYANG_LOG_LEVEL="WARNING")
        assert stack.app is not None  # nosec B101 # served just above
        base, pid = stack.base, stack.app.pid
        # warm up the request path with a tiny photo, so idle means "ready to serve"
        post_photo(base, key, "warm.png", png_bomb(32, 32), "image/png")
        idle = status_kb(pid, "VmRSS")
        reset_peak(pid)
        status, secs, body = post_photo(base, key, "bomb.png", bomb, "image/png")
        grew = status_kb(pid, "VmHWM") - idle
        found.append(
            Finding(
                f"one {len(bomb) // 1024} KB PNG of 79 Mpx",
                f"HTTP {status} in {secs:.2f} s, server +{_mb(grew)} (idle {_mb(idle)})",
                "refused (4xx) from its header, < 0.5 s, < +50 MB",
                400 <= status < 500 and secs < 0.5 and grew < 50 * 1024,
            )
        )
        reset_peak(pid)
        with ThreadPoolExecutor(4) as pool:
            results = list(
                pool.map(lambda i: post_photo(base, key, f"b{i}.png", bomb, "image/png"), range(4))
            )
        peak = status_kb(pid, "VmHWM") - idle
        time.sleep(1)
        held = status_kb(pid, "VmRSS") - idle
        codes = sorted(r[0] for r in results)
        found.append(
            Finding(
                "four 79 Mpx PNGs at once",
                f"HTTP {codes}, peak +{_mb(peak)}, still held after 1 s +{_mb(held)}",
                f"all 4xx, peak < +{GROWTH_BOUND_MB} MB",
                all(400 <= c < 500 for c in codes) and peak < GROWTH_BOUND_MB * 1024,
            )
        )
        before = status_kb(pid, "VmRSS")
        reset_peak(pid)
        status, secs, body = post_photo(base, key, "photo.jpg", legit, "image/jpeg")
        grew = status_kb(pid, "VmHWM") - before
        found.append(
            Finding(
                f"a legitimate 12 Mpx JPEG ({len(legit) // 1024} KB)",
                f"HTTP {status} in {secs:.2f} s, server +{_mb(grew)}",
                "accepted (201)",
                status == 201,
            )
        )
        under = png_bomb(6300, 6300)  # 39.7 Mpx: just under the limit, legitimately decoded
        before = status_kb(pid, "VmRSS")
        reset_peak(pid)
        t0 = time.perf_counter()
        with ThreadPoolExecutor(4) as pool:
            results = list(
                pool.map(lambda i: post_photo(base, key, f"u{i}.png", under, "image/png"), range(4))
            )
        secs = time.perf_counter() - t0
        peak = status_kb(pid, "VmHWM") - before
        codes = sorted(r[0] for r in results)
        found.append(
            Finding(
                "four 39.7 Mpx PNGs (just under the limit) at once",
                f"HTTP {codes} in {secs:.1f} s, peak +{_mb(peak)}",
                f"all accepted, peak < +{UNDER_BOUND_MB} MB (decodes at once are capped)",
                codes == [201] * 4 and peak < UNDER_BOUND_MB * 1024,
            )
        )
    return found


if __name__ == "__main__":
    for f in measure():
        print(f"{'ok ' if f.ok else 'BAD'} {f.what}: {f.seen} (expected {f.expected})")

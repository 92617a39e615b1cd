"""The photo checks of ``db.media`` on each format: refused from the header before any decoding (too many
pixels, too long a side, Pillow's own bomb range), decoded once no larger than stored, first frame only,
metadata gone, the request's pixels together bounded, and the busy answer when no decoding slot frees up."""

from __future__ import annotations

import io
import time
import warnings

import pytest
from PIL import Image

from bench.trust.uploads import jpeg_with_size, png_bomb, webp_with_size
from db.errors import Busy, ValidationError
from db.media import ImageLimits, clean_image, clean_photos, image_slot, read_header

MB = 10_000_000


def encoded(fmt: str, size: tuple[int, int], **params: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (90, 30, 160)).save(out, format=fmt, **params)
    return out.getvalue()


HEADER_BOMBS = [
    ("PNG 79 Mpx", lambda: png_bomb(8900, 8900)),
    ("PNG just over 40 Mpx", lambda: png_bomb(6400, 6400)),
    ("PNG 13000 px wide", lambda: png_bomb(13_000, 10)),
    ("JPEG 65000 x 65000 header", lambda: jpeg_with_size(65_000, 65_000)),
    ("JPEG 49 Mpx header (Pillow only warns)", lambda: jpeg_with_size(7000, 7000)),
    ("JPEG 12001 px tall header", lambda: jpeg_with_size(100, 12_001)),
    ("WebP 16000 x 16000 header", lambda: webp_with_size(16_000, 16_000)),
    ("WebP 9000 x 9000 header", lambda: webp_with_size(9000, 9000)),
]


@pytest.mark.parametrize(("why", "make"), HEADER_BOMBS, ids=[b[0] for b in HEADER_BOMBS])
def test_bombs_are_refused_from_the_header_fast(why: str, make: object) -> None:
    data = make()  # type: ignore[operator]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Pillow's warning is never the only guard: it must not even be raised
        t0 = time.perf_counter()
        with pytest.raises(ValidationError) as err:
            read_header(data, MB)
        with pytest.raises(ValidationError):
            clean_image(data, MB)
    assert time.perf_counter() - t0 < 0.5, why  # nothing decoded
    assert "pixel" in err.value.en and "像素" in err.value.zh and err.value.field == "media"


def test_sizes_within_the_limits_pass_the_header_check() -> None:
    assert read_header(png_bomb(6300, 6300), MB).width == 6300  # 39.7 Mpx, just under 40
    assert read_header(jpeg_with_size(4000, 3000), MB).height == 3000
    assert read_header(webp_with_size(4000, 3000), MB).width == 4000
    assert read_header(encoded("WEBP", (640, 480)), MB).mime == "image/webp"


def test_limits_come_from_the_caller() -> None:
    tight = ImageLimits(max_pixels=1_000_000, max_side=2000)
    with pytest.raises(ValidationError):
        read_header(png_bomb(1001, 1000), MB, tight)
    with pytest.raises(ValidationError):
        read_header(png_bomb(2001, 10), MB, tight)
    assert read_header(png_bomb(1000, 1000), MB, tight).width == 1000


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_large_photos_are_stored_no_larger_than_the_stored_side(fmt: str) -> None:
    limits = ImageLimits(max_stored_side=1000)
    clean = clean_image(encoded(fmt, (2400, 1600)), MB, limits)  # a JPEG is decoded at half scale (draft)
    assert (clean.width, clean.height) == (1000, 667)
    stored = Image.open(io.BytesIO(clean.data))
    assert stored.size == (1000, 667) and stored.format == fmt
    assert max(Image.open(io.BytesIO(clean.thumb)).size) == 320


def test_a_photo_within_the_stored_side_keeps_its_size() -> None:
    clean = clean_image(encoded("JPEG", (4000, 3000)), MB)  # 12 Mpx: as a phone takes it
    assert (clean.width, clean.height) == (4000, 3000)


def test_animations_keep_only_their_first_frame() -> None:
    frames = [Image.new("RGB", (40, 30), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    for fmt in ("PNG", "WEBP"):
        out = io.BytesIO()
        frames[0].save(out, format=fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
        assert getattr(Image.open(io.BytesIO(out.getvalue())), "n_frames", 1) == 3
        clean = clean_image(out.getvalue(), MB)
        stored = Image.open(io.BytesIO(clean.data))
        assert getattr(stored, "n_frames", 1) == 1, fmt
        r, g, b = stored.convert("RGB").getpixel((5, 5))  # type: ignore[misc]
        assert r > 200 and g < 50 and b < 50, fmt


def test_comments_and_exif_are_not_stored() -> None:
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    data = encoded("JPEG", (64, 48), exif=exif.tobytes(), comment=b"reporter phone 13800001234")
    clean = clean_image(data, MB)
    assert b"13800001234" not in clean.data and b"TestCam" not in clean.data


def test_a_request_s_pixels_together_are_bounded_before_any_decoding() -> None:
    limits = ImageLimits(max_request_pixels=20_000_000)
    photos = [png_bomb(3000, 3000), png_bomb(3000, 3000), jpeg_with_size(2000, 2000)]  # 22 Mpx together
    with pytest.raises(ValidationError) as err:
        clean_photos(photos, MB, limits)  # the JPEG's data is only a header: decoding would fail differently
    assert "together" in err.value.en
    assert len(clean_photos(photos[:2], MB, limits)) == 2


def test_no_free_decoding_slot_answers_busy() -> None:
    limits = ImageLimits(concurrent=1, wait_s=0.2)
    with image_slot(limits):  # the only slot is taken (by another request, as far as the photo knows)
        t0 = time.perf_counter()
        with pytest.raises(Busy) as err:
            clean_image(encoded("PNG", (30, 20)), MB, limits)
        assert 0.15 < time.perf_counter() - t0 < 2
    assert err.value.status == 503 and "稍后重试" in err.value.zh and "try again" in err.value.en
    assert clean_image(encoded("PNG", (30, 20)), MB, limits).width == 30  # freed again

"""Photos through the API: EXIF (GPS, camera) really gone from the stored file, fake images refused with no row
and no file left, the limits, and serving with access control (public photos to all, the rest to staff)."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import Engine, text

from tests.support.api import BASE, case_row, counts, image, media_files, report, ticket_of
from tests.support.app import OpenClient, sign_in_client


def photos_of(engine: Engine, ticket: str) -> list[tuple[int, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                'SELECT p.id, p.path, p.mime FROM photo p JOIN "case" c ON c.id = p.case_id WHERE c.ticket = :t ORDER BY p.id'
            ),
            {"t": ticket},
        )
        return [(r.id, r.path, r.mime) for r in rows]


def test_exif_is_stripped_from_stored_photos(
    client: httpx.Client, api_key: str, api_engine: Engine, api_media: Path
) -> None:
    original = image("JPEG", exif=True)
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # the upload carries GPS
    files = [
        ("media", ("gps.jpg", original, "image/jpeg")),
        ("media", ("pic.png", image("PNG"), "image/png")),
    ]
    ticket = ticket_of(report(client, api_key, files=files))
    (jpeg_id, jpeg_path, jpeg_mime), (_, png_path, png_mime) = photos_of(api_engine, ticket)
    assert (jpeg_mime, png_mime) == ("image/jpeg", "image/png")
    stored = Image.open(api_media / jpeg_path)
    assert dict(stored.getexif()) == {} and "exif" not in stored.info
    assert b"Model-GPS" not in (api_media / jpeg_path).read_bytes()
    assert (api_media / png_path).is_file()
    sha = Path(jpeg_path).stem
    assert (api_media / jpeg_path).with_name(f"{sha}.thumb.jpg").is_file()  # the thumbnail, by content hash


FAKES = [
    ("text renamed .jpg", ("photo.jpg", b"I am a text file, not a picture\n", "image/jpeg")),
    ("PNG bytes declared as JPEG", ("photo.jpg", image("PNG"), "image/jpeg")),
    ("JPEG bytes named .png", ("photo.png", image("JPEG"), "application/octet-stream")),
    ("JPEG magic in front of PNG", ("photo.jpg", b"\xff\xd8\xff" + image("PNG"), "image/jpeg")),
    ("truncated JPEG", ("photo.jpg", image("JPEG")[:60], "image/jpeg")),
    ("GIF", ("photo.gif", b"GIF89a" + b"\x00" * 40, "image/gif")),
    ("empty", ("photo.jpg", b"", "image/jpeg")),
]


@pytest.mark.parametrize(("why", "upload"), FAKES, ids=[f[0] for f in FAKES])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_fake_images_are_refused_leaving_no_row_and_no_file(
    client: httpx.Client,
    api_key: str,
    api_engine: Engine,
    api_media: Path,
    why: str,
    upload: tuple[str, bytes, str],
    fmt: str,
) -> None:
    before, files_before = counts(api_engine), media_files(api_media)
    good = ("media", ("good.jpg", image("JPEG", size=(33, 21)), "image/jpeg"))
    resp = report(client, api_key, fmt, files=[good, ("media", upload)])
    assert resp.status_code == 400, why
    assert (b"<code>400</code>" in resp.content) if fmt == "xml" else resp.json()[0]["code"] == 400
    assert counts(api_engine) == before
    assert media_files(api_media) == files_before  # not even the good photo's file


def test_photo_limits(client: httpx.Client, api_key: str, api_engine: Engine, api_media: Path) -> None:
    before, files_before = counts(api_engine), media_files(api_media)
    ten = [("media", (f"p{i}.jpg", image("JPEG"), "image/jpeg")) for i in range(10)]
    assert report(client, api_key, files=ten).status_code == 400
    huge = b"\xff\xd8\xff\xe0" + b"\x00" * 10_000_000  # over the 10 MB default
    resp = report(client, api_key, files=[("media", ("big.jpg", huge, "image/jpeg"))])
    assert resp.status_code == 400 and "MB" in resp.json()[0]["description"]
    assert counts(api_engine) == before and media_files(api_media) == files_before
    nine = [("media", (f"p{i}.webp", image("WEBP", size=(20 + i, 20)), "image/webp")) for i in range(9)]
    ticket = ticket_of(report(client, api_key, files=nine))
    assert [m for _, _, m in photos_of(api_engine, ticket)] == ["image/webp"] * 9


def staff_client(open_client: OpenClient) -> httpx.Client:
    c = open_client(timeout=30, follow_redirects=False)
    resp = sign_in_client(c, "lead", "demo-lead-2026")
    assert resp.status_code == 303 and "error" not in resp.headers["location"]
    return c


def test_photos_are_served_with_access_control(
    client: httpx.Client, open_client: OpenClient, api_key: str, api_engine: Engine, api_media: Path
) -> None:
    ticket = ticket_of(
        report(client, api_key, files=[("media", ("a.jpg", image("JPEG", size=(80, 60)), "image/jpeg"))])
    )
    ((photo_id, path, _),) = photos_of(api_engine, ticket)
    full, thumb = f"/media/photo/{photo_id}/full", f"/media/photo/{photo_id}/thumb"
    # not approved yet: only staff see it, anonymous users get 404 (the photo's existence stays private)
    assert client.get(full).status_code == 404 and client.get(thumb).status_code == 404
    assert client.get(f"{BASE}/requests/{ticket}.json").json()[0]["media_url"] is None
    staff = staff_client(open_client)
    try:
        resp = staff.get(full)
        assert resp.status_code == 200 and resp.content == (api_media / path).read_bytes()
        assert resp.headers["content-type"] == "image/jpeg" and "no-store" in resp.headers["cache-control"]
        small = staff.get(thumb)
        assert small.status_code == 200 and Image.open(io.BytesIO(small.content)).size[0] <= 320
    finally:
        staff.close()
    with api_engine.begin() as conn:
        conn.execute(text("UPDATE photo SET approved = true WHERE id = :i"), {"i": photo_id})
    resp = client.get(full)
    assert resp.status_code == 200 and resp.headers["x-content-type-options"] == "nosniff"
    assert "public" in resp.headers["cache-control"] and client.get(thumb).status_code == 200
    media_url = client.get(f"{BASE}/requests/{ticket}.json").json()[0]["media_url"]
    assert media_url.endswith(full)
    # the case becomes private: its photo is no longer public
    case = case_row(api_engine, ticket)
    with api_engine.begin() as conn:
        conn.execute(text('UPDATE "case" SET public = false WHERE id = :i'), {"i": case.id})
    assert client.get(full).status_code == 404
    for bad in ("/media/photo/999999999/full", f"/media/photo/{photo_id}/huge", "/media/photo/x/full"):
        assert client.get(bad).status_code == 404


def test_a_body_over_the_limit_is_refused_before_it_is_read(api_server: object) -> None:
    import socket
    from urllib.parse import urlparse

    url = urlparse(api_server.base)  # type: ignore[attr-defined]
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(
            b"POST /open311/v2/requests.json HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            b"Content-Length: 999999999\r\nConnection: close\r\n\r\n"
        )
        answer = b""
        while chunk := s.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413") and b'"code":413' in answer

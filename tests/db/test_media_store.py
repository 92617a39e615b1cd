"""Storing photos: the same photo uploaded by several requests at once is stored once and every request gets it
(each writer has a temporary file of its own); files are whole or absent, never half written."""

from __future__ import annotations

import io
import threading
from pathlib import Path

from PIL import Image
from sqlalchemy import Engine

from db.durable_file import write_durably
from db.media import store_photo


def _png(size: tuple[int, int] = (320, 240)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 90)).save(out, format="PNG")
    return out.getvalue()


def _upload_at_once(
    engine: Engine, media: Path, photo: bytes, n: int
) -> tuple[list[str], list[BaseException]]:
    gate = threading.Barrier(n)
    errors: list[BaseException] = []
    paths: list[str] = []

    def upload() -> None:
        try:
            with engine.connect() as conn:  # rolled back: only the files stay
                gate.wait()
                paths.append(store_photo(conn, media, photo, kind="report").path)
                conn.rollback()
        except BaseException as exc:  # noqa: BLE001 - reported by the caller's assertion
            errors.append(exc)

    threads = [threading.Thread(target=upload) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return paths, errors


def test_the_same_photo_at_once_from_eight_requests_is_stored_for_each(
    engine: Engine, tmp_path: Path
) -> None:
    photo = _png()
    for attempt in range(6):  # a race: several rounds, each on an empty media folder
        media = tmp_path / str(attempt)
        paths, errors = _upload_at_once(engine, media, photo, 8)
        assert errors == [] and len(paths) == 8 and len(set(paths)) == 1, errors
        files = sorted(p.name for p in media.rglob("*") if p.is_file())
        assert len(files) == 2 and not any(n.endswith(".tmp") for n in files), (
            files
        )  # the photo, its thumbnail
        assert Image.open(media / paths[0]).size == (320, 240)


def test_a_durable_write_replaces_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "a.bin"
    write_durably(target, b"first")
    write_durably(target, b"second, longer")
    assert target.read_bytes() == b"second, longer"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]
    assert oct(target.stat().st_mode & 0o777) == "0o644"

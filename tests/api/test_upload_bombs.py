"""Image bombs: each refused with a 400 from its header, four at once, while the real server's process memory
(``/proc/PID/status``; uvicorn on its own database, see conftest) stays within a stated bound; no row and no file left; legitimate photos (12 Mpx JPEG, a PNG just under the pixel limit) accepted."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from PIL import Image
from sqlalchemy import Engine, text

from bench.trust.uploads import jpeg_with_size, photo_jpeg, png_bomb, reset_peak, status_kb, webp_with_size
from tests.support.api import YUNYAN, counts, media_files, report, ticket_of
from tests.support.app import AppServer

BOUND_MB = 250  # the most the server may grow while refusing four bombs at once


def _pid(server: AppServer) -> int:
    assert server.proc is not None
    return server.proc.pid


def _post_all(base: str, key: str, uploads: list[tuple[str, bytes, str]]) -> list[httpx.Response]:
    def one(upload: tuple[str, bytes, str]) -> httpx.Response:
        with httpx.Client(base_url=base, timeout=120) as c:
            return report(c, key, files=[("media", upload)], headers={"Accept-Language": "en"})

    with ThreadPoolExecutor(len(uploads)) as pool:
        return list(pool.map(one, uploads))


def test_bombs_at_once_are_refused_within_a_memory_bound(
    server_client: httpx.Client, api_server: AppServer, api_key: str, api_engine: Engine, api_media: Path
) -> None:
    pid = _pid(api_server)
    ticket_of(report(server_client, api_key, files=[("media", ("warm.png", png_bomb(32, 32), "image/png"))]))
    before, files_before = counts(api_engine), media_files(api_media)
    idle = status_kb(pid, "VmRSS")
    png79 = png_bomb(8900, 8900)
    assert len(png79) < 400_000  # a few hundred KB for 79 Mpx
    mixed = [
        ("bomb.png", png79, "image/png"),
        ("huge.jpg", jpeg_with_size(65_000, 65_000), "image/jpeg"),
        ("huge.webp", webp_with_size(16_000, 16_000), "image/webp"),
        ("over.png", png_bomb(6400, 6400), "image/png"),  # 40.96 Mpx, just over the 40 Mpx limit
    ]
    for uploads in (mixed, [("bomb.png", png79, "image/png")] * 4):
        reset_peak(pid)
        answers = _post_all(api_server.base, api_key, uploads)
        grew_mb = (status_kb(pid, "VmHWM") - idle) / 1024
        assert [r.status_code for r in answers] == [400] * 4, [r.text for r in answers]
        for r in answers:
            assert "pixels" in r.json()[0]["description"]
        assert grew_mb < BOUND_MB, f"the server grew {grew_mb:.0f} MB for {[u[0] for u in uploads]}"
    zh = report(server_client, api_key, files=[("media", mixed[0])], headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 400 and "像素" in zh.json()[0]["description"]
    assert counts(api_engine) == before and media_files(api_media) == files_before


def test_legitimate_large_photos_are_accepted(
    client: httpx.Client, api_key: str, api_engine: Engine, api_media: Path
) -> None:
    files = [
        ("media", ("phone.jpg", photo_jpeg(4000, 3000), "image/jpeg")),  # 12 Mpx
        ("media", ("under.png", png_bomb(6300, 6300), "image/png")),  # 39.7 Mpx, just under the limit
    ]
    ticket = ticket_of(report(client, api_key, files=files))
    with api_engine.connect() as conn:
        rows = conn.execute(
            text(
                'SELECT p.path, p.width, p.height FROM photo p JOIN "case" c ON c.id = p.case_id '
                "WHERE c.ticket = :t ORDER BY p.id"
            ),  # fmt: skip
            {"t": ticket},
        ).all()
    assert [(r.width, r.height) for r in rows] == [(4000, 3000), (4096, 4096)]  # stored no larger than 4096
    assert Image.open(io.BytesIO((api_media / rows[1].path).read_bytes())).size == (4096, 4096)


def test_legitimate_photos_at_once_are_decoded_a_few_at_a_time(
    api_server: AppServer, api_key: str, api_engine: Engine
) -> None:
    """Four 39.7 Mpx PNGs at once: all accepted, and the peak shows that only two (GUIYANG_IMAGE_CONCURRENT)
    were decoded at a time (~250 MB each at worst); four at once would be ~1 GB."""
    pid = _pid(api_server)
    under = png_bomb(6300, 6300)
    before = status_kb(pid, "VmRSS")
    reset_peak(pid)
    answers = _post_all(api_server.base, api_key, [(f"u{i}.png", under, "image/png") for i in range(4)])
    grew_mb = (status_kb(pid, "VmHWM") - before) / 1024
    assert [r.status_code for r in answers] == [201] * 4, [r.text for r in answers]
    assert grew_mb < 650, f"the server grew {grew_mb:.0f} MB"


def test_the_verification_answer_refuses_bombs_too(
    client: httpx.Client, api_key: str, api_engine: Engine, api_media: Path
) -> None:
    from tests.support.api import account, answer, handled, tasks

    ticket = ticket_of(report(client, api_key, lat=YUNYAN[1] + 0.0011))
    acct = account(client, api_key)
    handled(api_engine, ticket)
    (task,) = [t for t in tasks(client, api_key, acct) if t["service_request_id"] == ticket]
    before, files_before = counts(api_engine), media_files(api_media)
    for upload in (
        ("bomb.png", png_bomb(8900, 8900), "image/png"),
        ("huge.jpg", jpeg_with_size(9000, 9000), "image/jpeg"),
    ):
        resp = answer(client, api_key, acct, task["task_id"], files=[("media", upload)])
        assert resp.status_code == 400 and "像素" in resp.json()[0]["description"], resp.text
    assert counts(api_engine) == before and media_files(api_media) == files_before
    assert answer(client, api_key, acct, task["task_id"]).status_code == 200  # a real photo still answers

"""Who may fetch ``/media/photo/{id}/{thumb|full}``, against the real app: public photos to anyone; a private
case's photo only to staff who may see the case (the command center all, an officer their district, department
staff their department), a post's photo waiting for approval only to moderators; everyone else gets the same
404 as for a photo that does not exist, so guessing ids tells nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from db.media import store_photo
from ops import moderation
from ops import workflow as wf
from ops.citizen.persons import ReporterIdentity, person_for_reporter
from tests.support.api import YUNYAN, case_row, image, report, staff, ticket_of
from tests.support.app import OpenClient, sign_in_client

NANMING = (106.7119, 26.5716)  # 甲秀楼, 南明区
PASSWORDS = {
    "lead": "demo-lead-2026",
    "dispatcher": "demo-dispatch-2026",
    "yunyan": "demo-yunyan-2026",  # officer of 云岩区 (520103)
    "cgj": "demo-cgj-2026",  # staff of the city management bureau (CGJ)
    "admin": "demo-admin-2026",
    "moderator": "demo-moderator-2026",
}
#: the photos below, by name: (district, department it is dispatched to) for case photos
CASES = {
    "yunyan_cgj": (YUNYAN, "520103", "CGJ"),
    "nanming_jtj": (NANMING, "520102", "JTJ"),
    "nanming_cgj": (NANMING, "520102", "CGJ"),
}
ALL = ("yunyan_cgj", "nanming_jtj", "nanming_cgj", "pending_post", "public_case", "public_post")
PUBLIC = {"public_case", "public_post"}
#: who sees which private photo (besides the public ones, which everyone sees)
SEES = {
    None: set(),
    "yunyan": {"yunyan_cgj"},
    "cgj": {"yunyan_cgj", "nanming_cgj"},
    "dispatcher": {"yunyan_cgj", "nanming_jtj", "nanming_cgj"},
    "moderator": {"yunyan_cgj", "nanming_jtj", "nanming_cgj", "pending_post"},
    "lead": {"yunyan_cgj", "nanming_jtj", "nanming_cgj", "pending_post"},
    "admin": {"yunyan_cgj", "nanming_jtj", "nanming_cgj", "pending_post"},
}


def _user_id(engine: Engine, username: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": username}).scalar_one()
        )


def _case_photo(client: httpx.Client, key: str, engine: Engine, at: tuple[float, float]) -> tuple[Any, int]:
    """A report with one photo through the API: (case id, photo id); the photo is not approved."""
    files = [("media", ("p.jpg", image("JPEG", size=(40, 30)), "image/jpeg"))]
    case = case_row(engine, ticket_of(report(client, key, lat=at[1], long=at[0], files=files)))
    with engine.connect() as conn:
        photo = conn.execute(text("SELECT id FROM photo WHERE case_id = :c"), {"c": case.id}).scalar_one()
    return case, photo


def _post_photo(engine: Engine, media: Path, account: str, *, approve: bool) -> int:
    """A citizen's 最美贵阳 post with its photo (no case), pending or approved by the moderator."""
    with engine.begin() as conn:
        person = person_for_reporter(conn, ReporterIdentity(account_id=account))
        assert person is not None
        photo = store_photo(conn, media, image("PNG", size=(30, 20)), kind="beauty", person_id=person)
        post = moderation.submit_beauty_post(conn, person, "甲秀楼", "", NANMING[0], NANMING[1], photo.id)
        if approve:
            moderation.set_post_state(conn, _user_id(engine, "moderator"), post, "approved")
    return photo.id


@pytest.fixture(scope="module")
def photos(client_m: httpx.Client, api_key: str, api_engine: Engine, api_media: Path) -> dict[str, int]:
    ids: dict[str, int] = {}
    for name, (at, district, department) in CASES.items():
        case, ids[name] = _case_photo(client_m, api_key, api_engine, at)
        assert case.district_code == district and case.public
        with api_engine.begin() as conn:
            lead = staff(conn)
            r = wf.file_case(conn, lead, case.id, case.version)
            r = wf.dispatch(conn, lead, r.id, r.version, department_code=department)
            assert r.department_code == department
    case, ids["public_case"] = _case_photo(client_m, api_key, api_engine, NANMING)
    with api_engine.begin() as conn:
        moderator = _user_id(api_engine, "moderator")
        assert moderation.set_photo_public(conn, moderator, ids["public_case"], True)
    ids["pending_post"] = _post_photo(api_engine, api_media, "acct-media-pending", approve=False)
    ids["public_post"] = _post_photo(api_engine, api_media, "acct-media-public", approve=True)
    return ids


@pytest.fixture(scope="module")
def client_m(open_client: OpenClient) -> Iterator[httpx.Client]:
    with open_client(timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def sessions(open_client: OpenClient) -> Iterator[dict[str | None, httpx.Client]]:
    """A client per demo user (signed in with the login form) and an anonymous one (``None``)."""
    clients: dict[str | None, httpx.Client] = {None: open_client(timeout=60)}
    try:
        for user, password in PASSWORDS.items():
            c = clients[user] = open_client(timeout=60)
            resp = sign_in_client(c, user, password)
            assert resp.status_code == 303 and "error" not in resp.headers["location"], user
            assert "gy_session" in c.cookies
        yield clients
    finally:
        for c in clients.values():
            c.close()


@pytest.mark.parametrize("user", list(SEES), ids=[u or "anonymous" for u in SEES])
def test_each_user_gets_exactly_the_photos_they_may_see(
    user: str | None, photos: dict[str, int], sessions: dict[str | None, httpx.Client]
) -> None:
    c = sessions[user]
    missing = c.get("/media/photo/999999999999/full")
    assert missing.status_code == 404
    got: dict[str, int] = {}
    for name in ALL:
        for size in ("full", "thumb"):
            resp = c.get(f"/media/photo/{photos[name]}/{size}")
            got[f"{name}/{size}"] = resp.status_code
            if resp.status_code == 200:
                assert resp.headers["content-type"].startswith("image/")
                public = name in PUBLIC
                cache = resp.headers["cache-control"]
                assert cache == ("public, max-age=86400" if public else "private, no-store"), (name, cache)
            else:  # a refused photo looks exactly like one that does not exist
                assert resp.content == missing.content
                assert resp.headers["content-type"] == missing.headers["content-type"]
    allowed = SEES[user] | PUBLIC
    assert got == {f"{n}/{s}": 200 if n in allowed else 404 for n in ALL for s in ("full", "thumb")}


def test_leaving_scope_takes_the_photo_away(
    photos: dict[str, int], sessions: dict[str | None, httpx.Client], api_engine: Engine
) -> None:
    """Redispatched to another department, the case's photo is no longer the first department's to see (the
    rule is read per request, not remembered)."""
    url = f"/media/photo/{photos['nanming_cgj']}/full"
    assert sessions["cgj"].get(url).status_code == 200
    with api_engine.begin() as conn:
        case_id = conn.execute(
            text("SELECT case_id FROM photo WHERE id = :p"), {"p": photos["nanming_cgj"]}
        ).scalar_one()
        conn.execute(text("UPDATE \"case\" SET department_code = 'JTJ' WHERE id = :c"), {"c": case_id})
    try:
        assert sessions["cgj"].get(url).status_code == 404
        assert sessions["dispatcher"].get(url).status_code == 200
    finally:
        with api_engine.begin() as conn:
            conn.execute(text("UPDATE \"case\" SET department_code = 'CGJ' WHERE id = :c"), {"c": case_id})

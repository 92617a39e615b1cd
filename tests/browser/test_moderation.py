"""/moderation in real Chromium: a moderator approves and hides a citizen's 最美贵阳 post (the public map follows at
once) and manages service points on the map; every change lands in the moderation log; anonymous visitors get
nothing."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, text

from dashboard.settings import Settings
from db.media import store_photo
from demo.public import placeholder_picture
from ops import moderation as m
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, guarded_context, screenshot


def sign_in(page: Page, base: str, user: str = "moderator", password: str = "demo-moderator-2026") -> None:
    page.goto(base + "/login?next=/moderation")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.keyboard.press("Enter")
    page.wait_for_url("**/moderation")
    expect(page.locator("#mod-title")).to_be_visible(timeout=20_000)


@pytest.fixture
def pending_post(engine: Engine, settings: Settings) -> dict[str, Any]:
    """Committed: a citizen's post with its photo, waiting for approval."""
    tag = uuid.uuid4().hex[:8]
    with engine.begin() as conn:
        person = conn.execute(
            text("INSERT INTO person (pseudonym, name, phone) VALUES (:p, :n, '13600009999') RETURNING id"),
            {"p": f"modbrowser-{tag}", "n": f"投稿市民{tag}"},
        ).scalar_one()
        photo = store_photo(
            conn,
            settings.media_path,
            placeholder_picture(f"modbrowser-{tag}"),
            kind="beauty",
            person_id=person,
        )
        title = f"观山湖晚霞{tag}"
        post = m.submit_beauty_post(conn, person, title, "湖边的晚霞", 106.6297, 26.6472, photo.id)
    return {"id": post, "photo": photo.id, "title": title, "name": f"投稿市民{tag}"}


def wait_until(page: Page, check: Callable[[], Any], seconds: float = 10.0) -> None:
    """Poll the database while the page goes on. The wait is the page's own (``wait_for_timeout``), not
    ``time.sleep``: the context's request guard is a Playwright route, answered only while Playwright has
    control, so a sleeping test held the page's callback request back until it stopped waiting."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the change did not reach the database"
        page.wait_for_timeout(100)


def empty_spot(page: Page) -> tuple[float, float]:
    """Page coordinates inside the moderation map where a click lands on the map itself, not on a marker."""
    box = page.locator("#mod-pt-map").bounding_box()
    assert box is not None
    for fx, fy in ((0.5, 0.85), (0.15, 0.8), (0.85, 0.8), (0.15, 0.2), (0.85, 0.2), (0.5, 0.15), (0.3, 0.5)):
        x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
        hit = page.evaluate(
            "([x, y]) => { const el = document.elementFromPoint(x, y); "
            "return !!el && !el.closest('.leaflet-marker-icon, .leaflet-control'); }",
            [x, y],
        )
        if hit:
            return x, y
    raise AssertionError("no empty spot on the map")


def public_titles(base: str) -> set[str]:
    r = httpx.get(base + "/public/v1/beauty.json")
    return {f["properties"]["title"] for f in r.json()["features"]}


def test_approve_then_hide_reaches_the_public_at_once(
    browser: Browser,
    app_server: AppServer,
    foreign: ForeignRequests,
    pending_post: dict[str, Any],
    engine: Engine,
) -> None:
    base = app_server.base
    assert pending_post["title"] not in public_titles(base)
    assert httpx.get(f"{base}/media/public/{pending_post['photo']}/thumb").status_code == 404
    ctx = guarded_context(browser, app_server.base, foreign, viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    sign_in(page, base)
    card = page.locator(".mod-card").filter(has_text=pending_post["title"])
    expect(card).to_be_visible(timeout=15_000)
    thumb = card.locator("img")
    expect(thumb).to_have_attribute("src", f"/media/staff/{pending_post['photo']}/thumb")
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
    assert pending_post["name"] not in page.content()
    screenshot(page, "moderation-pending")
    card.get_by_role("button", name="通过并公开").click()
    expect(page.locator("#mod-notice")).to_contain_text("已完成", timeout=10_000)
    assert pending_post["title"] in public_titles(base)  # warm the public cache with the post in it
    assert httpx.get(f"{base}/media/public/{pending_post['photo']}/thumb").status_code == 200

    page.locator("#mod-post-state").get_by_text("已公开").click()
    card = page.locator(".mod-card").filter(has_text=pending_post["title"])
    page.locator("#mod-reason").fill("位置与照片不符")
    page.locator("#mod-reason").press("Tab")
    card.get_by_role("button", name="隐藏").click()
    expect(card).to_be_hidden(timeout=10_000)
    # at once: the cache of this process was cleared by the moderation callback
    assert pending_post["title"] not in public_titles(base)
    assert httpx.get(f"{base}/media/public/{pending_post['photo']}/thumb").status_code == 404

    with engine.connect() as conn:
        actions = conn.execute(
            text(
                "SELECT action, reason FROM moderation_log WHERE target_kind = 'beauty_post' AND target_id = :id "
                "ORDER BY id"
            ),
            {"id": pending_post["id"]},
        ).all()
    assert [tuple(a) for a in actions] == [("submit", None), ("approve", None), ("hide", "位置与照片不符")]
    page.get_by_role("tab", name="操作记录").click()
    expect(page.locator(".mod-log-table")).to_contain_text("位置与照片不符")
    assert foreign == []
    ctx.close()


def test_service_points_add_move_edit_retire(
    browser: Browser, app_server: AppServer, foreign: ForeignRequests, engine: Engine
) -> None:
    base = app_server.base
    ctx = guarded_context(browser, app_server.base, foreign, viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    sign_in(page, base, "admin", "demo-admin-2026")
    page.get_by_role("tab", name="便民服务点").click()
    expect(page.locator("#mod-pt-map .pub-m-svc").first).to_be_visible(timeout=15_000)
    # add: click an empty spot of the map (no marker under the mouse), fill the form, save
    x, y = empty_spot(page)
    page.mouse.click(x, y)
    expect(page.locator("#mod-pt-pos-text")).to_have_text(
        re.compile(r"位置 \d+\.\d+, \d+\.\d+"), timeout=10_000
    )
    expect(page.locator("#mod-pt-title")).to_have_text("新服务点")
    name = f"测试驿站{uuid.uuid4().hex[:6]}"
    page.locator("#mod-pt-name-zh").fill(name)
    page.locator("#mod-pt-hours").fill("07:00-21:00")
    page.locator("#mod-pt-hours").press("Tab")
    page.locator("#mod-pt-save").click()
    expect(page.locator("#mod-notice")).to_contain_text("已完成", timeout=10_000)
    expect(page.locator("#mod-pt-title")).to_contain_text("编辑服务点")
    with engine.connect() as conn:
        pid, lon0 = conn.execute(
            text("SELECT id, ST_X(geom) FROM service_point WHERE name_zh = :n AND retired_at IS NULL"),
            {"n": name},
        ).one()
    points = httpx.get(base + "/public/v1/service-points.json?kind=toilet").json()["features"]
    assert pid in {f["properties"]["id"] for f in points}  # public at once

    # move: drag the edit marker 80 px to the right, edit the English name, save
    marker = page.locator(".leaflet-marker-icon.leaflet-marker-draggable")
    before = page.locator("#mod-pt-pos-text").inner_text()
    box = marker.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 4)
    page.mouse.down()
    for step in range(1, 9):
        page.mouse.move(box["x"] + box["width"] / 2 + 10 * step, box["y"] + box["height"] - 4)
    page.mouse.up()
    expect(page.locator("#mod-pt-pos-text")).not_to_have_text(before, timeout=5_000)
    page.locator("#mod-pt-name-en").fill("Test rest station")
    page.locator("#mod-pt-name-en").press("Tab")  # let the input commit its value before saving
    page.locator("#mod-pt-save").click()

    def saved() -> bool:
        with engine.connect() as conn:
            lon1, name_en = conn.execute(
                text("SELECT ST_X(geom), name_en FROM service_point WHERE id = :id"), {"id": pid}
            ).one()
        return bool(lon1 > lon0 and name_en == "Test rest station")

    wait_until(page, saved)
    screenshot(page, "moderation-points")

    # retire: gone from the public map
    page.locator("#mod-reason").fill("已拆除")
    page.locator("#mod-reason").press("Tab")
    page.locator("#mod-pt-retire").click()

    def retired() -> bool:
        with engine.connect() as conn:
            at = conn.execute(
                text("SELECT retired_at FROM service_point WHERE id = :id"), {"id": pid}
            ).scalar()
        return at is not None

    wait_until(page, retired)
    points = httpx.get(base + "/public/v1/service-points.json").json()["features"]
    assert pid not in {f["properties"]["id"] for f in points}  # at once
    with engine.connect() as conn:
        actions = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT action FROM moderation_log WHERE target_kind = 'service_point' AND target_id = :id "
                    "ORDER BY id"
                ),
                {"id": pid},
            )
        ]
    assert actions == ["point_add", "point_move", "point_edit", "point_retire"]
    assert foreign == []
    ctx.close()


def test_anonymous_and_other_roles_get_nothing(page: Page, app_server: AppServer) -> None:
    page.goto(app_server.base + "/moderation")
    page.wait_for_url("**/login**", timeout=20_000)
    assert httpx.get(app_server.base + "/media/staff/1/thumb").status_code == 404
    # a dispatcher sees the page frame but no data (every callback checks the role)
    sign_in_other = page
    sign_in_other.goto(app_server.base + "/login?next=/moderation")
    sign_in_other.fill("input[name=username]", "dispatcher")
    sign_in_other.fill("input[name=password]", "demo-dispatch-2026")
    sign_in_other.keyboard.press("Enter")
    page.wait_for_url("**/moderation")
    page.wait_for_timeout(2500)
    assert page.locator(".mod-card").count() == 0
    expect(page.locator("#mod-post-list")).to_be_empty()

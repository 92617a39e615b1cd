"""/subscriptions in real Chromium: a shift lead draws a rectangle with the drawing tool and saves it (listed as a
drawn area); chooses a circle by a click on the map and a radius, saves it (listed, its webhook masked), sends a
test message through it to a real JSON webhook on localhost (received); a new report inside the circle then makes
its outbox row; finally removes both after a confirmation. The report is rolled back and the rows removed
afterwards (nothing left for later tests). No other host is asked."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, text

from ops import workflow as wf
from ops.workflow import Actor
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, screenshot, sign_in
from tests.support.http_receiver import JsonReceiver, json_receiver


@pytest.fixture
def receiver() -> Iterator[JsonReceiver]:
    with json_receiver() as r:
        yield r


@pytest.fixture
def cleanup(engine: Engine) -> Iterator[None]:
    """What the test made, undone afterwards (also when it fails): the lead's subscriptions removed, their
    messages gone."""
    yield
    with engine.begin() as c:
        uid = c.execute(text("SELECT id FROM staff_user WHERE username = 'lead'")).scalar_one()
        subs = list(
            c.execute(text("SELECT id FROM subscription WHERE staff_user_id = :u"), {"u": uid}).scalars()
        )
        c.execute(text("DELETE FROM notify_outbox WHERE subscription_id = ANY(:s)"), {"s": subs})
        c.execute(
            text(
                "UPDATE subscription SET active = false, removed_at = coalesce(removed_at, now()), channel = NULL "
                "WHERE id = ANY(:s)"
            ),
            {"s": subs},
        )


def _map_point(page: Page, fx: float, fy: float) -> tuple[float, float]:
    box = page.locator("#sub-map").bounding_box()
    assert box is not None
    return box["x"] + box["width"] * fx, box["y"] + box["height"] * fy


def test_draw_or_click_save_list_test_and_a_report_inside_is_told(
    page: Page,
    app_server: AppServer,
    engine: Engine,
    foreign: ForeignRequests,
    receiver: JsonReceiver,
    cleanup: None,
) -> None:
    tag = uuid.uuid4().hex[:5]
    sign_in(page, app_server.base, "lead", target="/subscriptions")
    expect(page.locator("#gy-nav")).to_contain_text("区域订阅", timeout=20_000)
    expect(page.locator("#sub-save")).to_be_visible(timeout=20_000)
    expect(page.locator("#sub-list")).to_contain_text("您还没有订阅")

    # 1. a rectangle drawn with the drawing tool
    page.locator(".leaflet-draw-draw-rectangle").click()
    x1, y1 = _map_point(page, 0.40, 0.40)
    x2, y2 = _map_point(page, 0.55, 0.55)
    page.mouse.move(x1, y1)
    page.mouse.down()
    page.mouse.move((x1 + x2) / 2, (y1 + y2) / 2, steps=5)
    page.mouse.move(x2, y2, steps=5)
    page.mouse.up()
    page.locator("#sub-name").fill(f"画的区域{tag}")
    page.locator("#sub-channel").fill(receiver.url("drawn"))
    page.locator("#sub-save").click()
    expect(page.locator("#sub-form-notice")).to_contain_text("已保存", timeout=20_000)
    drawn_row = page.locator("tr.sub-row", has_text=f"画的区域{tag}")
    expect(drawn_row).to_contain_text("自绘区域")

    # 2. a circle: a click on the map, a radius; a bad URL first (refused under its field, nothing saved)
    page.get_by_text("圆形（点 + 半径）").click()
    expect(page.locator("#sub-radius")).to_be_visible()
    cx, cy = _map_point(page, 0.25, 0.75)
    page.mouse.click(cx, cy)
    expect(page.locator("#sub-map-hint")).to_contain_text("中心点", timeout=10_000)
    page.locator("#sub-radius").fill("400")
    page.locator("#sub-name").fill(f"圆形{tag}")
    page.locator("#sub-channel").fill("ftp://example.cn/x")
    page.locator("#sub-channel").press("Enter")  # Enter submits
    expect(page.get_by_text("不支持的地址类型")).to_be_visible(timeout=20_000)
    expect(page.locator("tr.sub-row")).to_have_count(1)
    page.locator("#sub-channel").fill(receiver.url("circle"))
    page.locator("#sub-save").click()
    expect(page.locator("#sub-form-notice")).to_contain_text("已保存", timeout=20_000)
    row = page.locator("tr.sub-row", has_text=f"圆形{tag}")
    expect(row).to_contain_text("半径 400 米")
    expect(row).to_contain_text(f"json://127.0.0.1:{receiver.port}/****")
    screenshot(page, "subscriptions-list")

    # a test message through it reaches the real webhook
    row.get_by_role("button", name="发送测试").click()
    expect(page.locator("#sub-list-notice")).to_contain_text("送达", timeout=20_000)
    assert [m["title"] for m in receiver.wait_for(1)] == ["贵阳城市管理：测试消息"]
    assert receiver.paths == ["/circle"]

    # a new report at the circle's centre is told, in the report's own transaction (rolled back afterwards: the
    # shared database keeps no new case)
    sid = int(row.get_attribute("data-id") or 0)
    with engine.connect() as c, c.begin() as trans:
        lat, lon = c.execute(
            text("SELECT ST_Y(center), ST_X(center) FROM subscription WHERE id = :i"), {"i": sid}
        ).one()
        r = wf.report(
            c, Actor.system(), category_code="C0101", lon=lon, lat=lat, description="井盖松动", source="app"
        )
        told = c.execute(
            text(
                "SELECT kind, subscription_id FROM notify_outbox WHERE case_id = :c AND subscription_id IS NOT NULL"
            ),
            {"c": r.id},
        ).all()
        trans.rollback()
    assert [(k, s) for k, s in told] == [("area_new", sid)]

    # removal asks first, then both go
    for name in (f"圆形{tag}", f"画的区域{tag}"):
        page.locator("tr.sub-row", has_text=name).get_by_role("button", name="删除").click()
        expect(page.locator("#sub-confirm-text")).to_contain_text(name)
        page.locator("#sub-confirm-yes").click()
        expect(page.locator("tr.sub-row", has_text=name)).to_have_count(0, timeout=20_000)
    expect(page.locator("#sub-list")).to_contain_text("您还没有订阅")
    assert foreign == []


def test_a_moderator_is_told_the_page_is_not_theirs(page: Page, app_server: AppServer) -> None:
    sign_in(page, app_server.base, "moderator", target="/subscriptions")
    expect(page.locator("#gy-denied")).to_be_visible(timeout=20_000)

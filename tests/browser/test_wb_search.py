"""The workbench's case search in real Chromium: a dispatcher presses ``/``, types a word, sees the cases in the
results list and as rings on the map, moves with the arrows and opens a card with Enter or a click; Esc clears;
a word nobody wrote says so; a reporter's phone finds nothing for a dispatcher, and phones show masked.

The cases are committed through the workflow commands with words of rare characters (no other case has them)."""

from __future__ import annotations

import random

from playwright.sync_api import Page, expect
from sqlalchemy import Engine, text

from ops import workflow as wf
from ops.workflow import Actor, CaseResult
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, screenshot, sign_in

YUNYAN = (106.7135, 26.5838)
NANMING = (106.7119, 26.5716)
_rng = random.Random()


def rare_word(n: int) -> str:
    return "".join(chr(_rng.randint(0x9E00, 0x9FA5)) for _ in range(n))


def report(
    engine: Engine, point: tuple[float, float], address: str, description: str, phone: str | None = None
) -> CaseResult:
    with engine.begin() as conn:
        reporter = None
        if phone:
            reporter = conn.execute(
                text(
                    "INSERT INTO person (pseudonym, name, phone) VALUES (:p, '测试人', :phone) RETURNING id"
                ),
                {"p": f"wbs-{phone}", "phone": phone},
            ).scalar_one()
        return wf.report(
            conn,
            Actor.system(),
            category_code="C0101",
            lon=point[0] + _rng.uniform(-0.001, 0.001),
            lat=point[1] + _rng.uniform(-0.001, 0.001),
            description=description,
            address=address,
            source="hotline",
            reporter_id=reporter,
        )


def open_workbench(page: Page, base: str) -> None:
    page.context.route("**/tiles/**", lambda route: route.fulfill(status=204))
    sign_in(page, base, "dispatcher")
    expect(page.locator("#wb-queue-count")).to_contain_text("件", timeout=20_000)
    expect(page.locator("#wbs-input")).to_have_attribute(
        "placeholder", "搜索 工单号 / 地址 / 描述（按 / 键）"
    )


def slash_and_type(page: Page, words: str) -> None:
    page.locator(".wb-qhead").click()  # anywhere but a field
    page.keyboard.press("/")
    expect(page.locator("#wbs-input")).to_be_focused()
    page.keyboard.type(words)


def test_slash_type_see_the_results_in_the_list_and_on_the_map_and_open_a_card(
    page: Page, app_server: AppServer, engine: Engine, foreign: ForeignRequests
) -> None:
    word = rare_word(2)
    phone = "137" + "".join(_rng.choice("0123456789") for _ in range(8))
    older = report(engine, NANMING, f"南明区{word}巷3号", "井盖松动", phone=phone)
    newer = report(engine, YUNYAN, "云岩区中华北路", f"路口{word}井盖缺失")
    other = report(engine, YUNYAN, "云岩区中华北路", "井盖缺失")
    open_workbench(page, app_server.base)

    slash_and_type(page, word)
    rows = page.locator("#wbs-list .wbs-row")
    expect(rows).to_have_count(2, timeout=15_000)
    expect(rows.nth(0)).to_contain_text(newer.ticket)  # newest first
    expect(rows.nth(1)).to_contain_text(older.ticket)
    expect(rows.nth(0)).to_contain_text("待受理")
    expect(rows.nth(0)).to_contain_text("井盖破损")
    expect(rows.nth(1)).to_contain_text(f"南明区{word}巷3号")
    expect(rows.nth(1)).to_contain_text(f"{phone[:3]}****{phone[-4:]}")  # masked for a dispatcher
    expect(page.locator("#wbs-list")).not_to_contain_text(phone)
    expect(page.locator("#wbs-list")).not_to_contain_text(other.ticket)
    expect(page.locator("#wbs-status")).to_contain_text("找到 2 件")
    # on the map: one ring per result, above the case pins
    expect(page.locator("path.wbs-pin")).to_have_count(2, timeout=10_000)
    expect(page.locator(f"path.wbs-pin-{newer.id}")).to_have_count(1)
    page.wait_for_timeout(600)  # the map settles on the results
    screenshot(page, "workbench-search-zh")

    # arrows move through the results, Enter opens the card of the one focused
    page.keyboard.press("ArrowDown")
    expect(rows.nth(0)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(rows.nth(1)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#wb-card .wb-ticket")).to_have_text(older.ticket, timeout=15_000)
    expect(rows.nth(1)).to_have_class("wbs-row is-sel")
    # a click on a result opens its card too
    rows.nth(0).click()
    expect(page.locator("#wb-card .wb-ticket")).to_have_text(newer.ticket, timeout=15_000)
    # and a click on its ring on the map (the map flew to the case: its ring is in the middle of the map)
    page.locator("#wb-card-close").click()
    expect(page.locator("#wb-card")).to_be_hidden()
    page.wait_for_timeout(1500)  # the flight ends
    page.locator(f"path.wbs-pin-{newer.id}").click(force=True)
    expect(page.locator("#wb-card .wb-ticket")).to_have_text(newer.ticket, timeout=15_000)

    # Esc in the box clears the words, the list and the rings
    page.locator("#wbs-input").focus()
    page.keyboard.press("Escape")
    expect(page.locator("#wbs-input")).to_have_value("")
    expect(rows).to_have_count(0, timeout=10_000)
    expect(page.locator("path.wbs-pin")).to_have_count(0)
    assert foreign == [], f"the page asked other hosts: {foreign[:5]}"


def test_nothing_found_a_phone_finds_nothing_for_a_dispatcher_and_a_slash_in_a_field_stays_there(
    page: Page, app_server: AppServer, engine: Engine
) -> None:
    phone = "136" + "".join(_rng.choice("0123456789") for _ in range(8))
    case = report(engine, YUNYAN, "云岩区某路", "垃圾满溢", phone=phone)
    open_workbench(page, app_server.base)

    slash_and_type(page, "无此" + rare_word(3))
    expect(page.locator("#wbs-status")).to_contain_text("没有找到与「无此", timeout=15_000)
    expect(page.locator("#wbs-list .wbs-row")).to_have_count(0)

    page.locator("#wbs-input").fill(phone)  # the dispatcher may not see contact data: no match on it
    expect(page.locator("#wbs-status")).to_contain_text(f"没有找到与「{phone}」", timeout=15_000)

    page.locator("#wbs-input").fill(case.ticket)  # the full ticket a caller reads out
    expect(page.locator("#wbs-list .wbs-row")).to_have_count(1, timeout=15_000)
    page.locator("#wbs-input").press("Enter")  # its results are shown: Enter opens the first
    expect(page.locator("#wb-card .wb-ticket")).to_have_text(case.ticket, timeout=15_000)

    page.locator("#wbs-input").fill("")
    page.locator("#wbs-input").type("GY/1")  # "/" while typing in a field is a character, not a shortcut
    expect(page.locator("#wbs-input")).to_have_value("GY/1")

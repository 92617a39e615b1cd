"""/admin/reference in real Chromium: the admin changes a 小类's time limit from tomorrow and sees the scheduled
version in its history (the rule in force today unchanged); a time limit of 0 is refused with its message and
changes nothing. What the test appended to the history is removed at the end (as the owner), so later tests see
the reference data as it was."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, text

from ops.reference import today_in_beijing
from tests.support.app import AppServer
from tests.support.browser import ForeignRequests, screenshot, sign_in

CODE = "C0101"  # 井盖破损: 4 working hours
TABLES = ("category_rule", "responsibility_rule", "holiday_rule")


@pytest.fixture
def restore_history(owner_engine: Engine) -> Iterator[None]:
    """Remove the history rows the test appended (the history is append-only: its triggers are switched off
    for that, by the owner, and on again)."""
    with owner_engine.connect() as conn:
        marks = {t: conn.execute(text(f"SELECT coalesce(max(id), 0) FROM {t}")).scalar_one() for t in TABLES}  # nosec B608 # constant table names
    yield
    with owner_engine.begin() as conn:
        for t in TABLES:
            conn.execute(text(f"ALTER TABLE {t} DISABLE TRIGGER {t}_append_only"))
            conn.execute(text(f"DELETE FROM {t} WHERE id > :m"), {"m": marks[t]})  # nosec B608 # constant table names
            conn.execute(text(f"ALTER TABLE {t} ENABLE TRIGGER {t}_append_only"))
        conn.execute(text("SELECT gy_reference_apply(:d)"), {"d": today_in_beijing()})


def _rules(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM category_rule WHERE category_code = :c"), {"c": CODE}
            ).scalar_one()
        )


def test_time_limit_from_tomorrow_and_a_refusal(
    page: Page, app_server: AppServer, engine: Engine, foreign: ForeignRequests, restore_history: None
) -> None:
    tomorrow = (today_in_beijing() + timedelta(days=1)).isoformat()
    sign_in(page, app_server.base, "admin", target="/admin/reference")
    expect(page.locator("#ref-title")).to_have_text("基础数据", timeout=20_000)
    expect(page.locator(".admn-current")).to_have_text("基础数据")
    page.locator("#ref-cat").click()
    page.locator("#ref-cat").fill(CODE)
    page.get_by_role("option", name=f"{CODE} 井盖破损").click()
    expect(page.locator("#ref-cat-limit")).to_have_value("4", timeout=15_000)
    expect(page.locator("#ref-cat-history")).to_contain_text("现行")
    expect(page.locator("#ref-cat-effective")).to_have_value(tomorrow)

    # refused: a time limit of 0; the message says why and nothing is written
    before = _rules(engine)
    page.locator("#ref-cat-limit").fill("0")
    page.locator("#ref-cat-save").click()
    expect(page.locator("#ref-cat-notice")).to_contain_text("未保存：处置时限须为大于 0 的数", timeout=15_000)
    screenshot(page, "admin-reference-refused")
    assert _rules(engine) == before

    # 6 working hours from tomorrow: Enter in the date field saves
    page.locator("#ref-cat-limit").fill("6")
    page.locator("#ref-cat-effective").press("Enter")
    expect(page.locator("#ref-cat-notice")).to_contain_text(f"已保存：自 {tomorrow} 起生效", timeout=15_000)
    history = page.locator("#ref-cat-history")
    scheduled = history.locator("tr.ref-scheduled")
    expect(scheduled).to_contain_text(tomorrow, timeout=15_000)
    expect(scheduled).to_contain_text("6 工作小时")
    expect(scheduled).to_contain_text("待生效")
    expect(scheduled).to_contain_text("admin")
    expect(history.locator("tr.ref-current")).to_contain_text("4 工作小时")
    screenshot(page, "admin-reference")
    with engine.connect() as conn:
        limit = conn.execute(
            text("SELECT time_limit FROM category WHERE code = :c"), {"c": CODE}
        ).scalar_one()
        audited = conn.execute(
            text(
                "SELECT detail FROM audit_log WHERE kind = 'reference_edit' AND detail->>'key' = :c "
                "ORDER BY id DESC LIMIT 1"
            ),
            {"c": CODE},
        ).scalar_one()
    assert float(limit) == 4  # in force from tomorrow only
    assert audited["after"] == {"time_limit": 6.0} and audited["effective"] == tomorrow
    assert not foreign


def test_a_lead_is_refused(page: Page, app_server: AppServer) -> None:
    sign_in(page, app_server.base, "lead", target="/admin/reference")
    expect(page.locator("#gy-denied")).to_contain_text("无权访问", timeout=20_000)
    expect(page.locator("#gy-denied")).to_contain_text("基础数据")
    expect(page.locator("#ref-body")).to_be_hidden()

"""The workbench's address (issue 14) without a browser: the one link to a case, the view read from a query
string (only known values), where the queue's page starts, the total's words, and the sign-in's way back to a
deep link that cannot be bent into a way off the site."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from dash import html

from dashboard import ids
from dashboard.components import wb_links as comp
from dashboard.components.case_link import case_anchor, case_href
from dashboard.ids import wb_links as lid
from dashboard.ids import wb_live as live_ids
from dashboard.ids import workbench as wid
from dashboard.signin_routes import safe_target
from ops.links import case_path


def test_one_link_per_case() -> None:
    assert case_href("GY250908-1599") == "/workbench?case=GY250908-1599"
    assert case_href("GY250908-1599") == case_path("GY250908-1599")  # the notifications' rule too
    assert case_href("GY1&x=<b>") == "/workbench?case=GY1%26x%3D%3Cb%3E"  # data, never markup or parameters
    a = case_anchor("GY250908-1599", "en")
    assert isinstance(a, html.A) and a.href == case_href("GY250908-1599") and a.children == "GY250908-1599"
    assert "GY250908-1599" in a.title


def test_the_view_from_the_address_keeps_only_what_it_knows() -> None:
    state = comp.url_state(
        {
            "case": " gy250908-1599 ",
            "district": "520103",
            "category": "C0101",
            "major": "<script>",
            "status": "filed,nonsense,dispatched,filed",
            "light": "red,yellow",
            "source": "app",
            "window": "7d",
            "inview": "1",
            "focus": "mine",
            "page": "3",
        }
    )
    assert state == {
        "case": "gy250908-1599",
        "district": "520103",
        "category": "C0101",
        "status": ["filed", "dispatched"],
        "light": ["red", "yellow"],
        "source": ["app"],
        "window": "7d",
        "inview": True,
        "focus": "mine",
        "page": 3,
    }
    assert comp.url_state({"window": "forever", "page": "0", "status": "x", "focus": "everything"}) == {}
    assert comp.url_state({"page": "999999999"}) == {}
    assert comp.link_target("gy250908-1599") == "GY250908-1599" and comp.link_target("hello") is None


@pytest.mark.parametrize(
    ("triggers", "in_view", "expected"),
    [
        ({lid.PAGE}, False, 150),  # a page control
        ({wid.F_DISTRICT, lid.PAGE}, False, 150),  # Back: the address's filters and page together
        ({wid.REFRESH}, False, 50),  # an action refreshed the queue: the page shown stays
        ({live_ids.CHANGED, ids.LANG}, False, 50),
        ({wid.QUEUE_VIEW}, False, 50),  # the map moved, the queue does not follow it
        ({wid.QUEUE_VIEW}, True, 0),  # ... unless it does
        ({wid.F_STATUS}, False, 0),  # another filter: from the top
    ],
)
def test_where_the_queue_page_starts(triggers: set[str], in_view: bool, expected: int) -> None:
    shown = {"page": {"offset": 50}}
    assert comp.queue_offset(triggers, {"offset": 150}, shown, in_view=in_view) == expected


def test_the_first_draw_takes_the_page_of_the_address_and_forged_offsets_are_ignored() -> None:
    assert comp.queue_offset({wid.F_DISTRICT, wid.QUEUE_VIEW}, {"offset": 100}, None) == 100
    assert comp.queue_offset({lid.PAGE}, {"offset": -5}, None) == 0
    assert comp.queue_offset({lid.PAGE}, {"offset": "50"}, None) == 0
    assert comp.queue_offset({lid.PAGE}, {"offset": True}, None) == 0


def test_the_total_in_words() -> None:
    assert comp.count_text(2431, 0, 50, "zh") == "共 2,431 件，第 1–50 件"
    assert comp.count_text(2431, 2400, 31, "en") == "2,431 cases, 2,401–2,431 shown"
    assert comp.count_text(0, 0, 0, "zh") == "共 0 件"


def test_signing_in_returns_to_a_deep_link_and_nowhere_else() -> None:
    deep = "/workbench?case=GY250908-1599&status=filed,dispatched&page=2"
    assert safe_target(deep) == deep
    foreign = ("//evil.example/x", "https://evil.example/", "/\\evil.example", "\\\\evil.example", "evil")
    for target in (*foreign, "/\t/evil.example", "/\n/evil.example", None):
        assert safe_target(target) == "/workbench", target


def test_the_workbench_sends_a_signed_out_visitor_to_sign_in_with_the_whole_link() -> None:
    from dashboard.callbacks.workbench import LOGIN_URL

    search = "?case=GY250908-1599&window=7d"
    target = LOGIN_URL + quote("/workbench" + search, safe="/")
    assert target == "/login?next=/workbench%3Fcase%3DGY250908-1599%26window%3D7d"


def test_an_alert_links_the_queue_filtered_to_its_cases() -> None:
    from datetime import datetime, timedelta

    from dashboard.components.case_link import cases_href
    from geo.crs import TZ

    now = datetime(2026, 12, 6, 15, 0, tzinfo=TZ)
    two_hours = cases_href(category="E0404", district="520102", since=now - timedelta(hours=2), now=now)
    assert two_hours == "/workbench?category=E0404&district=520102&window=today"
    assert (
        cases_href(category="E04", since=now - timedelta(days=3), now=now) == "/workbench?major=E04&window=7d"
    )
    assert cases_href(category="E0404", since=now - timedelta(weeks=3), now=now).endswith("window=30d")
    # and the workbench reads them back
    assert comp.url_state({"category": "E0404", "district": "520102", "window": "today"}) == {
        "category": "E0404",
        "district": "520102",
        "window": "today",
    }

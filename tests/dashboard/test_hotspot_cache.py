"""The hot-spot results the /analysis tab and the case card share: computed once per scope, filters and level
for a few minutes (a card opened again does not recompute Gi*), the grid read once; and the card's words."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from sqlalchemy import Engine

from dashboard import hotspot_cache, runtime
from dashboard.components.an_hot import card_hot, card_line, csv_text, legend
from dashboard.i18n import t
from dashboard.settings import Settings
from ops.analysis import hotspots as hs
from ops.analysis.filters import Filters
from ops.analysis.hotspots import HotUnit, Membership
from ops.analysis.scope import AnalysisScope

pytestmark = pytest.mark.db


def test_results_are_kept(settings: Settings, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []
    grids: list[int] = []
    real, real_grid = hs.hotspots, hs.load_grid

    def counted(*args: Any, **kw: Any) -> Any:
        calls.append(args[1:4])
        return real(*args, **kw)

    def counted_grid(conn: Any) -> Any:
        grids.append(1)
        return real_grid(conn)

    monkeypatch.setattr(hotspot_cache, "hotspots", counted)
    monkeypatch.setattr(hotspot_cache, "load_grid", counted_grid)
    officer = AnalysisScope(district="520103")

    async def go() -> None:
        a = await hotspot_cache.hot_result(officer, Filters(days=30), "cell")
        b = await hotspot_cache.hot_result(officer, Filters(days=30), "cell")
        assert a is b
        c = await hotspot_cache.hot_result(officer, Filters(days=7), "cell")
        assert c is not a and c.filters.days == 7
        await hotspot_cache.hot_result(AnalysisScope.city(), Filters(days=30), "1km")
        # a case the scope may not read, or that does not exist: nothing, and nothing computed for it
        assert await hotspot_cache.case_hot(AnalysisScope(), 1) is None
        assert await hotspot_cache.case_hot(officer, -1) is None

    with runtime.using(runtime.Services(settings=settings, engine=engine)):
        anyio.run(go)
    assert len(calls) == 3 and len(grids) == 1
    assert {c[0] for c in calls} == {officer, AnalysisScope.city()}


def test_card_and_legend_words() -> None:
    hot = Membership("cell:1:2", 3, 6.1, 0.001, 7)
    cold = Membership("cell:1:2", -2, -3.0, 0.03, 0)
    none = Membership("cell:1:2", 0, 0.4, 0.9, 1)
    assert card_line("同小类", hot, "zh") == "同小类：热点（99%置信，所在网格近30天 7 件）"
    assert card_line("All categories", cold, "en").startswith("All categories: cold spot (95 % confidence")
    assert card_line("同小类", none, "zh") == "同小类：不在热点内（所在网格近30天 1 件）"
    assert card_line("x", None, "zh") == ""
    assert card_hot(None, None, False, "zh")[1].children[-1].children == t("an.hot.card.help", "zh")
    words = str(legend("全市", "zh"))
    assert "热点（99%置信）：该处及周边上报显著多于全市平均" in words
    assert "冷点（90%置信）：该处及周边上报显著少于全市平均" in words
    unit = HotUnit("500m:1:2", "500m", 26.5, 106.7, 12, 4.2, 1e-5, 2e-4, 3, "520103")
    text = csv_text([unit], {"520103": "云岩区"}, "zh")
    assert text.startswith("\ufeff单元,类别,区县,上报数")
    assert "500m:1:2,热点,云岩区,12,4.200,99%" in text

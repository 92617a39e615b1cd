"""The app's own CJK font covers every UI string, every page's font stack starts with it, every plotly chart
follows the UI language, and every key the UI translates has both texts (issue #12)."""

from __future__ import annotations

import re
from pathlib import Path

from fontTools.ttLib import TTFont

from dashboard.components.graphs import graph_config
from dashboard.components.workbench_queue import status_label
from dashboard.i18n import strings
from db.vocabulary import SOURCES, CaseStatus, Role

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "dashboard" / "assets"
FONT = ASSETS / "fonts" / "NotoSansSC-subset.woff2"
#: hanzi, CJK punctuation and fullwidth forms: what shows as boxes without a CJK font
CJK = re.compile(
    r"[\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)


def _cmap() -> set[int]:
    font = TTFont(str(FONT))
    return set(font.getBestCmap())


def test_the_font_has_every_cjk_character_of_the_ui_strings() -> None:
    """A new string with a character outside the subset fails here: run ``make font`` and commit the result."""
    cmap = _cmap()
    missing: dict[str, str] = {}
    for path in sorted((ROOT / "dashboard" / "strings").glob("*.py")):
        for ch in sorted(set(CJK.findall(path.read_text(encoding="utf-8")))):
            if ord(ch) not in cmap:
                missing[ch] = path.name
    assert missing == {}, f"not in {FONT.name} (run make font): {missing}"


def test_the_font_is_a_subset_of_sensible_size_with_its_licence() -> None:
    size = FONT.stat().st_size
    assert FONT.read_bytes()[:4] == b"wOF2"
    assert 200_000 < size < 1_500_000, size
    cmap = _cmap()
    assert 3_700 < sum(1 for c in cmap if 0x4E00 <= c <= 0x9FFF) < 8_000  # common hanzi, not all 30,000
    assert all(ord(c) in cmap for c in "0123456789ABCabc%·")
    licence = (ASSETS / "fonts" / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Noto Sans CJK SC" in licence
    assert "NotoSansSC-subset.woff2" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_stylesheet_puts_the_app_font_first() -> None:
    css = (ASSETS / "font.css").read_text(encoding="utf-8")
    assert re.search(r'@font-face\s*{[^}]*font-family:\s*"Noto Sans SC"[^}]*font-display:\s*swap', css)
    assert re.search(r'--gy-font:\s*"Noto Sans SC",', css)
    for path in sorted(ASSETS.glob("*.css")):
        for m in re.finditer(
            r"(?:^|[;{\s])(font-family|--ag-font-family):\s*([^;}]+)", path.read_text(encoding="utf-8")
        ):
            value = m.group(2).strip()
            if "monospace" in value or value == "inherit":
                continue
            assert value.startswith(("var(--gy-font)", '"Noto Sans SC"')), f"{path.name}: {m.group(0)!r}"


def test_charts_and_mantine_use_the_app_font() -> None:
    from dashboard.app import MANTINE_THEME
    from dashboard.components.stats_charts import FONT as CHART_FONT

    assert MANTINE_THEME["fontFamily"] == "var(--gy-font)"
    assert CHART_FONT.startswith("Noto Sans SC,")


def test_every_graph_follows_the_language() -> None:
    """No page makes a dcc.Graph of its own: dashboard.components.graphs sets the plotly locale."""
    own = ROOT / "dashboard" / "components" / "graphs.py"
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "dashboard").rglob("*.py")
        if p != own and re.search(r"\bGraph\(", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert graph_config("zh")["locale"] == "zh-CN" and graph_config("en")["locale"] == "en"
    locale = (ASSETS / "plotly-locale-zh-cn.js").read_text(encoding="utf-8")
    assert "name: 'zh-CN'" in locale and "Plotly.register(locale)" in locale and "PlotlyLocales" in locale
    assert "'九月'" in locale


def test_every_shown_key_has_its_text() -> None:
    have = strings()
    for status in CaseStatus:
        assert status_label(status.value, "en") not in ("", status.value) and status_label(status.value, "zh")
    wanted = [f"wb.role.{r.value}" for r in Role]
    wanted += [f"wb.src.{s}" for s in SOURCES]
    wanted += [f"wb.photo.{k}" for k in ("report", "handled", "verification", "beauty")]
    wanted += [f"mod.target.{k}" for k in ("beauty_post", "photo", "service_point")]
    wanted += ["access.title", "access.why", "notfound.title", "notfound.text"]
    assert [k for k in wanted if k not in have] == []

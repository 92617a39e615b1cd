"""Component IDs follow one rule (issue #11): every ID string is a constant of the ``dashboard.ids`` package,
starts with its module's prefix and is defined once; no other module names an ID string of its own."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import dashboard.ids as ids_package

ROOT = Path(__file__).resolve().parents[2]
PREFIX = {
    "dashboard.ids": "gy-",
    "dashboard.ids.login": "login-",
    "dashboard.ids.workbench": "wb-",
    "dashboard.ids.wall": "wall-",
    "dashboard.ids.replica": "rep-",
    "dashboard.ids.stats": "stats-",
    "dashboard.ids.moderation": "mod-",
    "dashboard.ids.public": "pub-",
    "dashboard.ids.grid_map": "grid-",
    "dashboard.ids.heat_filter": "heat-",
    "dashboard.ids.replay": "rp-",
    "dashboard.ids.desk_intake": "di-",
    "dashboard.ids.feedback": "fb-",
    "dashboard.ids.analysis": "an-",
    "dashboard.ids.an_hot": "anh-",
    "dashboard.ids.an_places": "anp-",
    "dashboard.ids.an_corr": "ank-",
    "dashboard.ids.an_campaign": "anc-",
    "dashboard.ids.an_alertui": "ana-",
    "dashboard.ids.admin": "adm-",
    "dashboard.ids.admin_nav": "admn-",
    "dashboard.ids.wb_search": "wbs-",
    "dashboard.ids.basemap": "bm-",
    "dashboard.ids.alarms": "alm-",
    "dashboard.ids.wb_links": "wbl-",
    "dashboard.ids.wb_live": "wbp-",
    "dashboard.ids.admin_reference": "ref-",
    "dashboard.ids.report": "rpt-",
    "dashboard.ids.subscriptions": "sub-",
    "dashboard.ids.exports": "exp-",
    "dashboard.ids.admin_audit": "aud-",
    "dashboard.ids.admin_partners": "prt-",
    "dashboard.ids.admin_users": "usr-",
}
ID_CONSTANT = re.compile(rf'^[A-Z][A-Z0-9_]* = "({"|".join(PREFIX.values())})[a-z0-9-]*"', re.M)


def _modules() -> list[str]:
    return ["dashboard.ids"] + [f"dashboard.ids.{m.name}" for m in pkgutil.iter_modules(ids_package.__path__)]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, str)]
    return []


def test_every_module_has_a_prefix_and_its_ids_carry_it() -> None:
    assert set(_modules()) == set(PREFIX), "a new ids module needs its prefix here"
    seen: dict[str, str] = {}
    for name in _modules():
        module = importlib.import_module(name)
        found = 0
        for attr, value in vars(module).items():
            if not attr.isupper():
                continue
            for s in _strings(value):
                found += 1
                assert s.startswith(PREFIX[name]), (name, attr, s)
                assert s not in seen, f"{s!r} is defined twice: {seen.get(s)} and {name}.{attr}"
                seen[s] = f"{name}.{attr}"
        assert found >= 2, name
    assert len(seen) > 150


def test_no_id_strings_outside_the_ids_package() -> None:
    stray = [
        f"{path.relative_to(ROOT)}: {m.group(0)}"
        for path in sorted((ROOT / "dashboard").rglob("*.py"))
        if "ids" not in path.relative_to(ROOT / "dashboard").parts[:1]
        for m in ID_CONSTANT.finditer(path.read_text(encoding="utf-8"))
    ]
    assert stray == []


def test_the_scan_sees_a_stray_id() -> None:
    assert ID_CONSTANT.search('ROOT = "wb-root"\n')
    assert not ID_CONSTANT.search('LOGIN_URL = "/login?next=/stats"\n')

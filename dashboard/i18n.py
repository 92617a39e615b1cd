"""zh-CN / English: every text the UI shows comes through ``t``. Strings live in ``dashboard/strings/*.py``."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

LANGS = ("zh", "en")


@cache
def strings() -> dict[str, tuple[str, str]]:
    import dashboard.strings as pkg

    merged: dict[str, tuple[str, str]] = {}
    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"dashboard.strings.{mod.name}")
        for key, value in getattr(module, "STRINGS", {}).items():
            if key in merged:
                raise KeyError(f"UI string {key!r} defined twice (dashboard/strings/{mod.name}.py)")
            merged[key] = value
    return merged


def t(key: str, lang: str = "zh", **kwargs: object) -> str:
    zh, en = strings().get(key, (key, key))
    text = en if lang == "en" else zh
    return text.format(**kwargs) if kwargs else text

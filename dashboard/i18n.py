"""zh-CN / English: every text the UI shows comes through ``t``. Strings live in ``dashboard/strings/*.py``."""

from __future__ import annotations

import importlib
import pkgutil
import re
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


#: ``{n|case|cases}``: the singular when the argument ``n`` is 1, else the plural (English needs it, zh does not).
_PLURAL = re.compile(r"\{(\w+)\|([^|{}]*)\|([^|{}]*)\}")


def t(key: str, lang: str = "zh", **kwargs: object) -> str:
    zh, en = strings().get(key, (key, key))
    text = en if lang == "en" else zh
    if not kwargs:
        return text
    text = _PLURAL.sub(lambda m: m.group(2) if kwargs.get(m.group(1)) == 1 else m.group(3), text)
    return text.format(**kwargs)

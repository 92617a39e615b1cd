"""dashboard.i18n: every UI string in both languages, with the same placeholders; English plurals."""

from __future__ import annotations

import string

from dashboard.i18n import _PLURAL, strings, t


def fields(text: str) -> set[str]:
    plain = _PLURAL.sub(lambda m: "{" + m.group(1) + "}", text)
    return {name for _, name, _, _ in string.Formatter().parse(plain) if name}


def test_both_languages_ask_for_the_same_values() -> None:
    for key, (zh, en) in strings().items():
        assert zh.strip() and en.strip(), key
        assert fields(zh) == fields(en), key


def test_english_plural_follows_the_number() -> None:
    assert t("wb.queue_count", "en", total=1, n=200) == "1 case"
    assert t("wb.queue_count", "en", total=0, n=200) == "0 cases"
    assert t("wb.queue_count", "en", total=12, n=200) == "12 cases"
    assert t("wb.queue_count", "zh", total=1, n=200) == "共 1 件"
    assert t("wb.pins_shown", "en", n=1) == "1 case on the map"


def test_unknown_key_shows_the_key() -> None:
    assert t("no.such.key", "en") == "no.such.key"

"""Build the app's CJK web font: Noto Sans CJK SC (Debian's ``fonts-noto-cjk``) cut down to the characters the UI
and its reference data use plus the 3,755 common hanzi of GB 2312 level 1, as one WOFF2 file under
``dashboard/assets/fonts/`` with the font's licence (SIL OFL 1.1) beside it. Run by ``make font``; the output is
committed, so the app and its tests need neither the Debian package nor this script.

Needs ``fonttools`` and ``brotli`` (dev dependencies) and ``apt-get install fonts-noto-cjk``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
FAMILY_IN_TTC = "Noto Sans CJK SC"
OUT = ROOT / "dashboard" / "assets" / "fonts"
WOFF2 = OUT / "NotoSansSC-subset.woff2"
LICENSE = OUT / "OFL.txt"

#: Where UI text and the names it shows (districts, departments, categories, places) come from.
TEXT_SOURCES = (
    "dashboard/**/*.py",
    "dashboard/assets/*.js",
    "db/seed/data/*",
    "demo/data/*",
    "demo/*.py",
    "db/vocabulary.py",
)
#: Printable ASCII, Latin-1, general punctuation, arrows, CJK punctuation, fullwidth forms: always in.
RANGES = ((0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2190, 0x21FF), (0x3000, 0x303F), (0xFF00, 0xFFEF))


def common_hanzi() -> set[str]:
    """GB 2312 level 1 (rows 16–55): the 3,755 most common hanzi, taken from Python's own codec."""
    chars: set[str] = set()
    for row in range(16, 56):
        for cell in range(1, 95):
            try:
                chars.add(bytes([0xA0 + row, 0xA0 + cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def text_chars() -> set[str]:
    chars: set[str] = set()
    for pattern in TEXT_SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file():
                try:
                    chars.update(path.read_text(encoding="utf-8"))
                except UnicodeDecodeError:
                    continue
    return {c for c in chars if ord(c) > 0x7E}


def wanted() -> set[str]:
    chars = common_hanzi() | text_chars()
    for lo, hi in RANGES:
        chars.update(chr(i) for i in range(lo, hi + 1))
    return {c for c in chars if c.isprintable() or c == "\u3000"}


def font_number() -> int:
    for i, font in enumerate(TTCollection(str(SOURCE), lazy=True).fonts):
        if font["name"].getDebugName(1) == FAMILY_IN_TTC:
            return i
    raise SystemExit(f"{FAMILY_IN_TTC} not in {SOURCE}")


def ofl_text() -> str:
    """The SIL OFL 1.1 text as Debian's copyright file quotes it, with the font's own copyright line on top."""
    lines = COPYRIGHT.read_text(encoding="utf-8").splitlines()
    start = max(i for i, line in enumerate(lines) if line.strip() == "License: SIL-1.1") + 1
    body: list[str] = []
    for line in lines[start:]:
        if line and not line.startswith(" "):
            break
        body.append("" if line.strip() == "." else line[1:])
    font = TTCollection(str(SOURCE), lazy=True).fonts[font_number()]
    head = [
        f"{font['name'].getDebugName(0)}",
        "Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'.",
        "",
        "NotoSansSC-subset.woff2 is a subset of Noto Sans CJK SC Regular (Debian package fonts-noto-cjk),",
        "made by tools/make_font.py (make font). It is a Modified Version under the licence below.",
        "",
    ]
    return "\n".join(head + body).rstrip() + "\n"


def main() -> int:
    if not SOURCE.exists():
        print(f"{SOURCE} missing: apt-get install fonts-noto-cjk", file=sys.stderr)
        return 1
    chars = wanted()
    options = subset.Options()
    options.flavor = "woff2"
    options.font_number = font_number()
    options.layout_features = ["kern", "liga", "locl", "vert", "palt", "halt"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.hinting = False
    options.desubroutinize = False
    options.notdef_outline = True
    font = subset.load_font(str(SOURCE), options)
    sub = subset.Subsetter(options)
    sub.populate(text="".join(sorted(chars)))
    sub.subset(font)
    OUT.mkdir(parents=True, exist_ok=True)
    subset.save_font(font, str(WOFF2), options)
    LICENSE.write_text(ofl_text(), encoding="utf-8")
    hanzi = sum(1 for c in chars if re.match(r"[\u3400-\u9fff]", c))
    print(
        f"{WOFF2.relative_to(ROOT)}: {len(chars)} characters ({hanzi} hanzi), {WOFF2.stat().st_size:,} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

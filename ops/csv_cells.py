"""The rules of a cell in a downloaded table (CSV or Excel), each once.

- A text cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return: "CSV injection") gets a leading apostrophe, so it shows as the text it is; a number written
  as text (``-12.5``) is left alone.
- A missing value is an empty cell.
- A CSV file starts with a UTF-8 byte-order mark (so spreadsheet programs read the Chinese) and ends its lines
  with CRLF.
"""

from __future__ import annotations

import re
from typing import Any

BOM = "\ufeff"
LINE_END = "\r\n"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet may take it: None → "", a formula-looking text → ``'`` + text.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> safe_cell("-12.5"), safe_cell(-3), safe_cell(None), safe_cell("中华北路")
    ('-12.5', -3, '', '中华北路')
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value

"""CSV for a download: UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese), CRLF line ends,
empty cells for missing values, formula-looking text defused (the rules: :mod:`ops.csv_cells`). One writer for
every table the analysis page exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from ops.csv_cells import BOM, LINE_END, safe_cell


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=LINE_END)
    writer.writerow(header)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return BOM + out.getvalue()

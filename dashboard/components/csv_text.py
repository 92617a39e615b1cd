"""CSV for a download: UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese), CRLF line ends,
empty cells for missing values. One writer for every table the analysis page exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return "\ufeff" + out.getvalue()

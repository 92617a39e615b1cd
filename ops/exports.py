"""Case exports (CSV, Excel, GeoJSON) for a signed-in user: what they may export, how a filter is read, how rows
become cells, and the audit row every export leaves.

- Scope exactly like the workbench (:func:`ops.policy.workbench_scope`): an officer exports their district's
  cases, department staff their department's, the command center the city's; anyone else nothing.
- Personal data (the reporter's name, phone, app account) only for the roles that may see it
  (:func:`ops.policy.sees_contact`); for the others those columns are absent and the free text (address,
  description) is masked as on public pages (:func:`db.masking.mask_public_text`).
- A filter is checked strictly: a value the workbench does not know is refused (400, in Chinese and English),
  never ignored: an export must hold what its filter says.
- Rows arrive in batches from :func:`db.queries.case_export.stream_cases` and leave as bytes (CSV, GeoJSON) or
  into a file (XLSX, openpyxl's write-only mode): memory holds one batch.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from db.accounts import StaffIdentity
from db.errors import Forbidden, ValidationError
from db.light import LIGHTS
from db.masking import mask_public_text
from db.queries.case_export import BATCH, ExportFilter, columns, count_cases, stream_cases
from db.queries.workbench import WINDOWS, Filters
from db.scope import RowScope
from db.vocabulary import SOURCES, CaseStatus
from geo.crs import TZ
from ops import audit
from ops.csv_cells import BOM, LINE_END, safe_cell
from ops.policy import actionable_statuses, sees_contact, workbench_scope

__all__ = [
    "FORMATS",
    "XLSX_MAX_ROWS",
    "Layout",
    "csv_chunks",
    "geojson_chunks",
    "open_export",
    "parse_filter",
    "plan",
    "record",
    "write_xlsx",
]

FORMATS = ("csv", "xlsx", "geojson")
#: Excel's sheet holds 1,048,576 rows, one of them the header.
XLSX_MAX_ROWS = 1_048_575
#: Windows an export takes: the workbench's, and ``all`` (every case whatever its age and status).
EXPORT_WINDOWS = (*WINDOWS, "all")
FOCUS = ("all", "mine", "pending")
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
_STATUSES = tuple(s.value for s in CaseStatus)
_ALLOWED = {"status": _STATUSES, "source": SOURCES, "light": LIGHTS}
#: The query parameters a filter may hold (anything else, such as ``lang`` or the workbench's ``case`` and
#: ``page``, is not part of the filter).
FILTER_PARAMS = (
    "district",
    "major",
    "category",
    "status",
    "source",
    "light",
    "window",
    "focus",
    "inview",
    "bbox",
    "since",
    "until",
)


def _bad(name: str, value: str, zh: str, en: str) -> ValidationError:
    return ValidationError(
        f"筛选条件 {name} 无效（{value[:40]}）：{zh}",
        f"Invalid filter {name} ({value[:40]}): {en}",
        detail=f"{name}={value[:80]!r}",
        field=name,
    )


def _one(params: Mapping[str, str], name: str) -> str | None:
    raw = params.get(name)
    return raw.strip() if isinstance(raw, str) and raw.strip() else None


def _code(params: Mapping[str, str], name: str) -> str | None:
    raw = _one(params, name)
    if raw is not None and not _CODE.match(raw):
        raise _bad(name, raw, "应为代码（字母、数字）", "a code of letters and digits is expected")
    return raw


def _many(params: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = _one(params, name)
    if raw is None:
        return ()
    items = [x.strip() for x in raw.split(",") if x.strip()]
    wrong = [x for x in items if x not in _ALLOWED[name]]
    if wrong:
        allowed = ", ".join(_ALLOWED[name])
        raise _bad(name, raw, f"可选值为 {allowed}", f"the values are {allowed}")
    return tuple(x for x in _ALLOWED[name] if x in items)


def _day(params: Mapping[str, str], name: str) -> date | None:
    raw = _one(params, name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _bad(name, raw, "日期格式应为 YYYY-MM-DD", "a date is written YYYY-MM-DD") from None


def _bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if raw is None:
        return None
    try:
        w, s, e, n = (float(x) for x in raw.split(","))
    except ValueError:
        raise _bad("bbox", raw, "应为 西,南,东,北 四个经纬度", "four numbers west,south,east,north") from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise _bad("bbox", raw, "范围不成立", "west < east and south < north, in degrees")
    return w, s, e, n


def parse_filter(params: Mapping[str, str], user: StaffIdentity) -> ExportFilter:
    """The export filter the query parameters (the names the workbench's address uses, plus ``since`` /
    ``until`` and ``bbox``) ask for; :class:`ValidationError` (400) naming the first wrong value."""
    window = _one(params, "window") or "open"
    if window not in EXPORT_WINDOWS:
        raise _bad(
            "window", window, f"可选值为 {', '.join(EXPORT_WINDOWS)}", f"one of {', '.join(EXPORT_WINDOWS)}"
        )
    focus = _one(params, "focus") or "all"
    if focus not in FOCUS:
        raise _bad("focus", focus, f"可选值为 {', '.join(FOCUS)}", f"one of {', '.join(FOCUS)}")
    inview = _one(params, "inview")
    if inview is not None and inview not in ("0", "1", "true", "false", "yes", "no"):
        raise _bad("inview", inview, "应为 1 或 0", "1 or 0")
    box = _bbox(_one(params, "bbox")) if inview in ("1", "true", "yes") or "bbox" in params else None
    since, until = _day(params, "since"), _day(params, "until")
    if since and until and until < since:
        raise _bad("until", until.isoformat(), "结束日期早于开始日期", "the end is before the start")
    mine = actionable_statuses(user.role) or ()
    return ExportFilter(
        filters=Filters(
            district=_code(params, "district"),
            major=_code(params, "major"),
            category=_code(params, "category"),
            statuses=_many(params, "status"),
            lights=_many(params, "light"),
            window=window,
            sources=_many(params, "source"),
        ),
        bbox=box,
        since=since,
        until=until,
        first=mine,
        only_first=focus == "mine" and bool(mine),
        pending_only=focus == "pending" and not mine,
    )


def describe(f: ExportFilter) -> dict[str, Any]:
    """The filter as the audit log keeps it: codes and dates only."""
    x = f.filters
    out: dict[str, Any] = {
        "district": x.district,
        "major": x.major,
        "category": x.category,
        "status": list(x.statuses),
        "light": list(x.lights),
        "source": list(x.sources),
        "window": x.window,
        "bbox": list(f.bbox) if f.bbox else None,
        "since": f.since.isoformat() if f.since else None,
        "until": f.until.isoformat() if f.until else None,
        "focus": "mine" if f.only_first else "pending" if f.pending_only else "all",
    }
    if out["focus"] == "all":
        del out["focus"]
    return {k: v for k, v in out.items() if v not in (None, [])}


@dataclass(frozen=True)
class Plan:
    """What ``user`` may export: their workbench's cases, with or without the reporters' contact data."""

    scope: RowScope
    contact: bool


def plan(user: StaffIdentity) -> Plan:
    """``Forbidden`` (403) for a user without a workbench."""
    scope = workbench_scope(user)
    if scope.empty:
        raise Forbidden("您无权导出案件。", "You may not export cases.", detail=f"role={user.role}")
    return Plan(scope, sees_contact(user.role))


def record(
    conn: Connection,
    user: StaffIdentity,
    *,
    fmt: str,
    f: ExportFilter,
    rows: int,
    contact: bool,
    client: str | None,
) -> None:
    """The audit row of one export (who, from where, which format and filter, how many rows, whether personal
    data was in it)."""
    audit.record(
        conn,
        "export",
        user_id=user.id or None,  # 0: the command line without --as
        username=user.username,
        client=client,
        detail={
            "what": "cases",
            "format": fmt,
            "filter": describe(f),
            "rows": rows,
            "personal_data": contact,
        },
    )


class Opened:
    """An export under way: its number of rows (already in the audit log) and its batches, read in one
    repeatable-read snapshot (the rows are the rows counted). :meth:`close` ends it (reading to the end does)."""

    def __init__(self, rows: int, contact: bool, conn: Connection, batches: Iterator[list[tuple[Any, ...]]]):
        self.rows = rows
        self.contact = contact
        self._conn = conn
        self._batches = batches

    def batches(self) -> Iterator[list[tuple[Any, ...]]]:
        try:
            yield from self._batches
        finally:
            self.close()

    def close(self) -> None:
        self._conn.close()


def open_export(
    engine: Engine,
    user: StaffIdentity,
    f: ExportFilter,
    *,
    fmt: str,
    lang: str = "zh",
    client: str | None = None,
    max_rows: int | None = None,
    now: datetime | None = None,
    batch: int = BATCH,
) -> Opened:
    """Count what ``user`` may export of ``f``, record the export in the audit log (committed before the first
    row leaves), and open the rows. ``Forbidden`` for a user without a workbench; ``ValidationError`` when
    more than ``max_rows`` rows match (Excel's limit)."""
    p = plan(user)
    now = now or datetime.now(TZ)  # one clock for the count and the rows (lights, windows)
    conn = engine.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    try:
        rows = count_cases(conn, p.scope, f, now=now)
        if max_rows is not None and rows > max_rows:
            raise ValidationError(
                f"共 {rows:,} 件，超过 Excel 的 {max_rows:,} 行上限：请改用 CSV，或缩小筛选范围。",
                f"{rows:,} cases: more than Excel's {max_rows:,} rows. Export CSV, or narrow the filter.",
                detail=f"rows={rows}",
                field="format",
            )
        with engine.begin() as w:
            record(w, user, fmt=fmt, f=f, rows=rows, contact=p.contact, client=client)
    except BaseException:
        conn.close()
        raise
    stream = stream_cases(conn, p.scope, f, contact=p.contact, lang=lang, now=now, batch=batch)
    return Opened(rows, p.contact, conn, stream)


@dataclass(frozen=True)
class Layout:
    """How rows become cells: the column keys (:func:`db.queries.case_export.columns`), their headers in the
    reader's language, labels of coded columns (column → code → label) and whether free text is masked."""

    keys: tuple[str, ...]
    headers: tuple[str, ...]
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    mask: bool = True

    @classmethod
    def of(cls, contact: bool, header: Callable[[str], str], labels: dict[str, dict[str, str]]) -> Layout:
        keys = columns(contact=contact)
        return cls(keys, tuple(header(k) for k in keys), labels, mask=not contact)


_FREE_TEXT = ("address", "description")


def _prepare(batch: Iterable[tuple[Any, ...]], layout: Layout) -> Iterator[list[Any]]:
    coded = [(i, layout.labels[k]) for i, k in enumerate(layout.keys) if k in layout.labels]
    masked = [i for i, k in enumerate(layout.keys) if k in _FREE_TEXT] if layout.mask else []
    for row in batch:
        out = list(row)
        for i, names in coded:
            if out[i] is not None:
                out[i] = names.get(out[i], out[i])
        for i in masked:
            out[i] = mask_public_text(out[i])
        yield out


Batches = Iterable[list[tuple[Any, ...]]]
Progress = Callable[[int], None]


def csv_chunks(batches: Batches, layout: Layout, on_rows: Progress | None = None) -> Iterator[bytes]:
    """The CSV file in chunks: BOM and header, then one chunk per batch; ``on_rows(n)`` after each batch."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=LINE_END)
    writer.writerow(layout.headers)
    yield (BOM + buf.getvalue()).encode("utf-8")
    for batch in batches:
        buf.seek(0)
        buf.truncate()
        writer.writerows([safe_cell(v) for v in row] for row in _prepare(batch, layout))
        yield buf.getvalue().encode("utf-8")
        if on_rows:
            on_rows(len(batch))


def geojson_chunks(batches: Batches, layout: Layout, on_rows: Progress | None = None) -> Iterator[bytes]:
    """A GeoJSON FeatureCollection (EPSG:4326, longitude first), one feature per line, one chunk per batch;
    properties are named by the column keys (the headers are in ``properties`` of the collection's ``columns``)."""
    lon, lat = layout.keys.index("lon"), layout.keys.index("lat")
    names = [(i, k) for i, k in enumerate(layout.keys) if k not in ("lon", "lat")]
    head = {k: h for k, h in zip(layout.keys, layout.headers, strict=True) if k not in ("lon", "lat")}
    yield (
        '{"type":"FeatureCollection","columns":' + json.dumps(head, ensure_ascii=False) + ',"features":[\n'
    ).encode("utf-8")
    first = True
    for batch in batches:
        lines = []
        for row in _prepare(batch, layout):
            feature = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row[lon], row[lat]]},
                "properties": {k: row[i] for i, k in names},
            }
            text = json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
            lines.append(text if first else "," + text)
            first = False
        yield ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
        if on_rows:
            on_rows(len(batch))
    yield b"]}\n"


def write_xlsx(
    batches: Batches, layout: Layout, path: Path, *, sheet: str, on_rows: Progress | None = None
) -> int:
    """The rows into an Excel file at ``path`` (openpyxl's write-only mode: rows go to disk as they come);
    the number of rows written. The caller refuses more than :data:`XLSX_MAX_ROWS` beforehand."""
    from openpyxl import Workbook  # a heavy import, for this format only

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet[:31])
    ws.freeze_panes = "B2"
    ws.append(list(layout.headers))
    n = 0
    for batch in batches:
        for row in _prepare(batch, layout):
            ws.append([safe_cell(v) for v in row])
        n += len(batch)
        if on_rows:
            on_rows(len(batch))
    wb.save(path)
    return n

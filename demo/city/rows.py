"""The replayed city as binary COPY rows: ``person``, ``case`` and ``case_event``.

Texts the workflow would write are reproduced byte for byte where they are text (tickets, ISO instants in
payloads: ``datetime.isoformat()`` in Asia/Shanghai) and value for value where they are jsonb.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from demo.city import pgbinary as pb
from demo.city import slots as sl
from demo.city.replay import State
from demo.city.workclock import DAY, LOCAL_OFFSET

I8 = npt.NDArray[np.int64]
F8 = npt.NDArray[np.float64]
SRID_POINT = 0x20000001  # EWKB point with an SRID

REJECT_REASONS = ("不属于城市管理范围", "信息不全，无法核实", "现场核实无此问题", "非本市辖区问题")
RETURN_REASONS = ("不属于本部门职责", "权属单位有误，请重新派遣", "该设施不归本单位管理")
HANDLE_NOTES = (
    "已处置完毕，现场已恢复",
    "已安排人员清理",
    "已修复并拍照留存",
    "已责令当事人整改",
    "已联系权属单位完成维修",
)
PASS_NOTES: tuple[str | None, ...] = (None, None, "现场核实已处置", "核查通过")
FAIL_NOTES = ("现场问题仍然存在", "处置不彻底，请返工", "照片与现场不符")
SUSPEND_REASONS = ("需协调多个部门", "等待权属单位确认", "涉及司法程序，暂缓处置", "需专项资金，待审批")
EXTEND_REASONS = ("工程量大，需延期处置", "天气原因无法施工", "需采购材料")
ESCALATE_REASONS = ("超期未处置，升级督办", "市民多次反映，升级督办")
SLOT_NOTES: dict[int, Sequence[str | None]] = {
    sl.REJECT: REJECT_REASONS,
    sl.RETURN: RETURN_REASONS,
    sl.HANDLE: HANDLE_NOTES,
    sl.HANDLE_R: HANDLE_NOTES,
    sl.VERIFY_PASS: PASS_NOTES,
    sl.VERIFY_FAIL: FAIL_NOTES,
    sl.SUSPEND: SUSPEND_REASONS,
    sl.EXTEND: EXTEND_REASONS,
    sl.ESCALATE: ESCALATE_REASONS,
}


def _b(s: str) -> bytes:
    return s.encode("utf-8")


def _digits(out: npt.NDArray[np.uint8], col: int, values: I8, width: int) -> None:
    for k in range(width):
        out[:, col + width - 1 - k] = 48 + (values // 10**k) % 10


def local_iso(t: I8) -> npt.NDArray[np.uint8]:
    """``YYYY-MM-DDTHH:MM:SS.ffffff`` of instants in Asia/Shanghai, as an ``(n, 26)`` byte block (integer
    arithmetic: the civil date from the day number as in H. Hinnant's ``civil_from_days``)."""
    local = np.asarray(t, dtype=np.int64) + LOCAL_OFFSET
    days = local // DAY
    tod = local - days * DAY
    z = days + 10957 + 719468  # days since 0000-03-01
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    out = np.empty((len(local), 26), dtype=np.uint8)
    out[:, [4, 7]] = ord("-")
    out[:, 10] = ord("T")
    out[:, [13, 16]] = ord(":")
    out[:, 19] = ord(".")
    _digits(out, 0, year, 4)
    _digits(out, 5, month, 2)
    _digits(out, 8, day, 2)
    seconds, micro = tod // 1_000_000, tod % 1_000_000
    _digits(out, 11, seconds // 3600, 2)
    _digits(out, 14, seconds // 60 % 60, 2)
    _digits(out, 17, seconds % 60, 2)
    _digits(out, 20, micro, 6)
    return out


def iso_segments(t: I8) -> list[pb.Segment]:
    """``datetime.isoformat()`` in Asia/Shanghai: microseconds only when not zero, then ``+08:00``."""
    block = local_iso(t)
    micro = np.asarray(t, dtype=np.int64) % 1_000_000 != 0
    return [pb.Segment(block[:, :19]), pb.optional(pb.Segment(block[:, 19:26]), micro), pb.const(b"+08:00")]


def ticket_segments(created: I8, ids: I8) -> list[pb.Segment]:
    """``'GY' || to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYMMDD') || '-' || id``."""
    block = local_iso(created)
    yymmdd = np.ascontiguousarray(block[:, [2, 3, 5, 6, 8, 9]])
    return [pb.const(b"GY"), pb.Segment(yymmdd), pb.const(b"-"), pb.ascii_int(ids)]


def ewkb_points(lon: F8, lat: F8) -> pb.Segment:
    rec = np.zeros(
        len(lon), dtype=np.dtype([("o", "u1"), ("t", "<u4"), ("s", "<u4"), ("x", "<f8"), ("y", "<f8")])
    )
    rec["o"] = 1
    rec["t"] = SRID_POINT
    rec["s"] = 4326
    rec["x"] = lon
    rec["y"] = lat
    return pb.Segment(rec.view(np.uint8).reshape(len(lon), 25))


def ts(values: I8) -> pb.Field:
    """A nullable timestamptz (``-1`` is NULL)."""
    v = np.asarray(values)
    return pb.f_int8(v, v < 0)


def nullable_int(values: I8, dtype: str = ">i4") -> pb.Field:
    v = np.asarray(values)
    return pb.Field([pb.fixed(np.maximum(v, 0), dtype)], v < 0)


def vocab_or_null(codes: I8, words: Sequence[bytes]) -> pb.Field:
    """A text column from ``words`` where ``codes >= 0``, NULL where ``-1``."""
    return pb.f_vocab(np.asarray(codes) + 1, [None, *words])


@dataclass
class CaseColumns:
    """Everything about the cases that is not in :class:`State`."""

    ids: I8
    created: I8
    source: I8
    category: I8
    description: I8
    lon: F8
    lat: F8
    district: I8
    cell: I8
    address: I8
    public: npt.NDArray[np.bool_]
    suggested: I8
    reporter: I8  # person id, -1 for none


CASE_COLUMNS = (
    "id, ticket, source, category_code, description, geom, district_code, cell_id, address, status, "
    "resume_status, urgency, escalated, public, department_code, suggested_department_code, reporter_id, "
    "merged_into_id, deadline, stage_started_at, stage_yellow_at, stage_deadline, paused_since, rework_count, "
    "return_count, extension_count, created_at, filed_at, dispatched_at, handled_at, closed_at, updated_at, "
    "version"
)


@dataclass
class Vocab:
    sources: list[bytes]
    categories: list[bytes]
    descriptions: list[bytes]
    districts: list[bytes]
    addresses: list[bytes]
    departments: list[bytes]
    statuses: list[bytes]


def case_chunk(c: CaseColumns, s: State, v: Vocab, sel: slice) -> list[bytes]:
    ids = c.ids[sel]
    n = len(ids)
    merged = np.where(s.merged_into[sel] >= 0, c.ids[np.maximum(s.merged_into[sel], 0)], -1)
    fields = [
        pb.f_int8(ids),
        pb.Field(ticket_segments(c.created[sel], ids)),
        pb.f_vocab(c.source[sel], v.sources),
        pb.f_vocab(c.category[sel], v.categories),
        pb.f_vocab(c.description[sel], v.descriptions),
        pb.Field([ewkb_points(c.lon[sel], c.lat[sel])]),
        vocab_or_null(c.district[sel], v.districts),
        nullable_int(c.cell[sel]),
        vocab_or_null(c.address[sel], v.addresses),
        pb.f_vocab(s.status[sel], v.statuses),
        vocab_or_null(s.resume_status[sel], v.statuses),
        pb.f_vocab(s.urgent[sel].astype(np.int64), [b"normal", b"urgent"]),
        pb.f_bool(s.escalated[sel]),
        pb.f_bool(c.public[sel]),
        vocab_or_null(s.department[sel], v.departments),
        vocab_or_null(c.suggested[sel], v.departments),
        nullable_int(c.reporter[sel]),
        nullable_int(merged, ">i8"),
        ts(s.deadline[sel]),
        ts(s.stage_started[sel]),
        ts(s.stage_yellow[sel]),
        ts(s.stage_deadline[sel]),
        ts(s.paused_since[sel]),
        pb.f_int4(s.rework[sel]),
        pb.f_int4(s.returns[sel]),
        pb.f_int4(s.extensions[sel]),
        pb.f_int8(c.created[sel]),
        ts(s.filed_at[sel]),
        ts(s.dispatched_at[sel]),
        ts(s.handled_at[sel]),
        ts(s.closed_at[sel]),
        pb.f_int8(s.updated_at[sel]),
        pb.f_int4(s.version[sel]),
    ]
    return pb.encode(fields, n)


EVENT_COLUMNS = (
    "id, case_id, action, from_status, to_status, actor_user_id, actor_person_id, actor_role, department_code, "
    "note, payload, at"
)
ROLES = ("system", "dispatcher", "lead", "department", "citizen")


@dataclass
class EventChunk:
    """One chunk of one slot's events, ready to encode (``-1`` is NULL for indices and ids)."""

    slot: int
    ids: I8
    case_ids: I8
    from_status: I8
    to_status: I8
    user: I8
    person: I8
    role: I8  # index into ROLES
    department: I8
    note: I8  # index into the slot's notes
    payload: list[pb.Segment]
    at: I8


def event_chunk(e: EventChunk, v: Vocab) -> list[bytes]:
    n = len(e.ids)
    notes = [_b(x) if x is not None else None for x in SLOT_NOTES.get(e.slot, ())]
    fields = [
        pb.f_int8(e.ids),
        pb.f_int8(e.case_ids),
        pb.Field([pb.const(_b(sl.SLOT_ACTION[e.slot].value))]),
        vocab_or_null(e.from_status, v.statuses),
        pb.f_vocab(e.to_status, v.statuses),
        nullable_int(e.user),
        nullable_int(e.person),
        pb.f_vocab(e.role, [_b(r) for r in ROLES]),
        vocab_or_null(e.department, v.departments),
        pb.f_vocab(e.note + 1, [None, *notes])
        if notes
        else pb.Field([pb.const(b"")], np.ones(n, dtype=bool)),
        pb.f_jsonb(e.payload),
        pb.f_int8(e.at),
    ]
    return pb.encode(fields, n)

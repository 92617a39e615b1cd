"""Event payloads (jsonb) as byte segments, one builder per kind of step, as :mod:`ops.workflow` writes them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from demo.city import pgbinary as pb
from demo.city import slots as sl
from demo.city.refdata import UNITS
from demo.city.rows import iso_segments, ticket_segments
from ops.workflow.base import MAX_DUPLICATES

I8 = npt.NDArray[np.int64]


@dataclass
class PayloadContext:
    ids: I8  # case id per row
    created: I8  # per row
    unit: I8  # the 小类's unit per row (index into UNITS)
    departments: list[bytes]
    dups: I8  # (rows, 5) row indices of suggested duplicates, -1 padding
    dup_count: I8


def _bool(values: npt.NDArray[np.bool_]) -> pb.Segment:
    return pb.vocab(np.asarray(values, dtype=np.int64), [b"false", b"true"])


def build(
    slot: int, rows: I8, values: dict[str, npt.NDArray[np.generic]], dept: I8, ctx: PayloadContext
) -> list[pb.Segment]:
    """Segments of the payloads of ``rows`` (case rows) taking ``slot``; ``values`` are the replay's, already
    restricted to these events; ``dept`` is the event's department."""
    c = pb.const
    if slot == sl.REPORT:
        k = ctx.dup_count[rows]
        d = ctx.dups[rows]
        segs = [c(b'{"duplicates":[')]
        for j in range(MAX_DUPLICATES):
            ids = np.where(d[:, j] >= 0, ctx.ids[np.maximum(d[:, j], 0)], 0)
            if j:
                segs.append(pb.optional(c(b","), k > j))
            segs.append(pb.optional(pb.ascii_int(ids), k > j))
        return [*segs, c(b"]}")]
    if slot in (sl.MERGE_R, sl.MERGE_F):
        into = np.asarray(values["into"], dtype=np.int64)
        return [
            c(b'{"into":'),
            pb.ascii_int(ctx.ids[into]),
            c(b',"into_ticket":"'),
            *ticket_segments(ctx.created[into], ctx.ids[into]),
            c(b'"}'),
        ]
    if slot == sl.FILE:
        return [
            c(b'{"urgency":"'),
            pb.vocab(np.asarray(values["urgent"], dtype=np.int64), [b"normal", b"urgent"]),
            c(b'"}'),
        ]
    if slot in (sl.DISPATCH1, sl.DISPATCH2):
        sug = np.asarray(values["suggested"], dtype=np.int64)
        return [
            c(b'{"department":"'),
            pb.vocab(dept, ctx.departments),
            c(b'","suggested":"'),
            pb.vocab(sug, ctx.departments),
            c(b'","deadline":"'),
            *iso_segments(np.asarray(values["deadline"], dtype=np.int64)),
            c(b'","accurate":'),
            _bool(dept == sug),
            c(b"}"),
        ]
    if slot == sl.RESUME:
        micro = np.asarray(values["paused_us"], dtype=np.int64)
        seconds = np.round(micro / 1e6).astype(np.int64)  # round((now - paused).total_seconds())
        return [c(b'{"paused_seconds":'), pb.ascii_int(seconds), c(b"}")]
    if slot == sl.EXTEND:
        amount = np.asarray(values["amount"], dtype=np.float64)
        text = np.char.mod("%.1f", amount).astype("S16")  # repr of a multiple of 0.5
        units = [u.value.encode() for u in UNITS]
        return [
            c(b'{"amount":'),
            pb.text_block(text),
            c(b',"unit":"'),
            pb.vocab(ctx.unit[rows], units),
            c(b'","deadline":"'),
            *iso_segments(np.asarray(values["deadline"], dtype=np.int64)),
            c(b'"}'),
        ]
    if slot in (sl.HANDLE, sl.HANDLE_R):
        return [c(b'{"photos":[],"on_time":'), _bool(np.asarray(values["on_time"], dtype=bool)), c(b"}")]
    if slot == sl.VERIFY_FAIL:
        return [c(b'{"deadline":"'), *iso_segments(np.asarray(values["deadline"], dtype=np.int64)), c(b'"}')]
    return [c(b"{}")]

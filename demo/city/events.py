"""From the replay's event groups to ``case_event`` COPY chunks: ids in time order, actors, notes, payloads."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from demo.city import payloads
from demo.city import slots as sl
from demo.city.draws import SHARES
from demo.city.replay import Group
from demo.city.rows import ROLES, SLOT_NOTES, EventChunk, Vocab, event_chunk

I8 = npt.NDArray[np.int64]
CHUNK = 200_000


@dataclass
class ActorContext:
    #: the simulator's account: every staff step of the seeded history is its act, never a demo user's
    account: int
    persons: I8
    registered: I8  # ids of registered persons (citizen verifiers)
    reporter: I8  # per case row: person id or -1


def event_ids(groups: list[Group], first: int) -> list[I8]:
    """Event ids in time order (ties in slot order), so ids grow with time as if written live."""
    at = np.concatenate([g.at for g in groups])
    order = np.argsort(at, kind="stable")
    rank = np.empty(len(at), dtype=np.int64)
    rank[order] = np.arange(len(at))
    ids = first + rank
    bounds = np.cumsum([0] + [len(g.at) for g in groups])
    return [ids[bounds[k] : bounds[k + 1]] for k in range(len(groups))]


def _actors(g: Group, ctx: ActorContext, rng: np.random.Generator) -> tuple[I8, I8, I8]:
    n = len(g.case)
    role = np.zeros(n, dtype=np.int64)
    user = np.full(n, -1, dtype=np.int64)
    person = np.full(n, -1, dtype=np.int64)
    kind = sl.SLOT_ACTOR[g.slot]
    r = ROLES.index
    if kind == "system":
        role[:] = r("system")
    elif kind in ("center", "verifier", "lead"):
        lead = rng.random(n) < (SHARES["lead"] if kind != "lead" else 1.0)
        role[:] = np.where(lead, r("lead"), r("dispatcher"))
        user[:] = ctx.account
        if kind == "verifier" and len(ctx.registered):
            citizen = rng.random(n) < SHARES["citizen_verify"]
            pick = rng.integers(0, len(ctx.registered), n)
            who = ctx.registered[pick]
            # never the reporter of the case
            clash = who == ctx.reporter[g.case]
            who[clash] = ctx.registered[(pick[clash] + 1) % len(ctx.registered)]
            role[citizen] = r("citizen")
            user[citizen] = -1
            person[citizen] = who[citizen]
    else:
        role[:] = r("department")
        user[:] = ctx.account
    return role, user, person


def event_chunks(
    groups: list[Group],
    ids: list[I8],
    case_ids: I8,
    actors: ActorContext,
    pctx: payloads.PayloadContext,
    vocab: Vocab,
    rng: np.random.Generator,
) -> Iterator[list[bytes]]:
    for g, gids in zip(groups, ids, strict=True):
        role, user, person = _actors(g, actors, rng)
        notes = SLOT_NOTES.get(g.slot, ())
        note = rng.integers(0, len(notes), len(g.case)) if notes else np.full(len(g.case), -1, dtype=np.int64)
        for lo in range(0, len(g.case), CHUNK):
            sel = slice(lo, lo + CHUNK)
            rows = g.case[sel]
            values = {k: v[sel] for k, v in g.values.items()}
            yield event_chunk(
                EventChunk(
                    slot=g.slot,
                    ids=gids[sel],
                    case_ids=case_ids[rows],
                    from_status=g.from_status[sel],
                    to_status=g.to_status[sel],
                    user=user[sel],
                    person=person[sel],
                    role=role[sel],
                    department=g.department[sel],
                    note=note[sel],
                    payload=payloads.build(g.slot, rows, values, g.department[sel], pctx),
                    at=g.at[sel],
                ),
                vocab,
            )

"""The workbench's case search on the bench city (target: p95 ≤ 200 ms on the 1M-case city).

A mix of what a dispatcher types, each as the command center (lead: with the phone search), a dispatcher, the
云岩区 officer and the city bureau's staff (CGJ), through :func:`ops.search.search` on the app role's connection
(the query the search box's callback runs): partial ticket numbers (the last digits of real tickets), ticket
prefixes (a month, a day), two-character Chinese words (common and rare), four-character words, addresses, a
word nobody wrote, and a reporter's phone. Words are read from the city itself, so the mix fits any seed."""

from __future__ import annotations

import os
import random
from collections import defaultdict

from sqlalchemy import text

from bench.common import BenchContext, Figure, pct, timed
from db.accounts import StaffIdentity
from db.engine import make_engine
from ops.search import search

TARGET_MS = 200
USERS = (
    StaffIdentity(0, "bench-lead", "bench", "lead", None, None),
    StaffIdentity(0, "bench-dispatcher", "bench", "dispatcher", None, None),
    StaffIdentity(0, "bench-officer", "bench", "officer", "520103", None),
    StaffIdentity(0, "bench-department", "bench", "department", None, "CGJ"),
)
#: two-character words: in many cases (附近 in most addresses), in some, in few
TWO = ("井盖", "附近", "路灯", "垃圾", "积水", "花果", "中华", "湿地", "低洼", "施工")
FOUR = ("中华北路", "安全隐患", "井盖破损", "贵阳北站", "占道经营", "道路积水", "无此地名")
ADDRESSES = ("贵阳火车站附近", "花果园", "遵义路与兴关路口", "观山湖公园")


def _mix(ctx: BenchContext) -> list[tuple[str, str]]:
    """(kind, query) pairs read from the bench city."""
    rng = random.Random(14)  # nosec B311 # deterministic benchmark data, not security
    with ctx.engine.connect() as conn:
        tickets = [r[0] for r in conn.execute(text('SELECT ticket FROM "case" ORDER BY id DESC LIMIT 5000'))]
        phone = conn.execute(
            text("SELECT phone FROM person WHERE phone IS NOT NULL ORDER BY id LIMIT 1")
        ).scalar()
    picked = rng.sample(tickets, min(6, len(tickets))) if tickets else []
    mix = [("ticket partial", t[-4:]) for t in picked]
    mix += [("ticket partial", t[4:12]) for t in picked[:2]]  # "0906-123": the end of a date and a number
    if picked:
        mix += [("ticket prefix", picked[0][:6]), ("ticket prefix", picked[0][:8]), ("ticket", picked[1])]
    mix += [("2-char", w) for w in TWO]
    mix += [("4-char", w) for w in FOUR]
    mix += [("address", w) for w in ADDRESSES]
    if phone:
        mix += [("phone", phone), ("phone", phone[-8:])]
    return mix


def run(ctx: BenchContext) -> list[Figure]:
    mix = _mix(ctx)
    engine = make_engine(ctx.url, pool_size=2)  # the app role, as the search box's callback
    by_kind: dict[str, list[float]] = defaultdict(list)
    every: list[float] = []
    try:
        for user in USERS:
            for kind, q in mix:

                def one(user: StaffIdentity = user, q: str = q) -> None:
                    with engine.begin() as conn:
                        search(conn, user, q)

                samples = timed(one, 3, warmup=1)
                by_kind[kind] += samples
                every += samples
    finally:
        engine.dispose()
    p95 = pct(every, 95) * 1000
    worst = max(by_kind, key=lambda k: pct(by_kind[k], 95))
    figures = [
        Figure(
            "workbench search: a mix of tickets, words, addresses, phones",
            pct(every, 50) * 1000,
            "ms",
            f"p95 ≤ {TARGET_MS} ms",
            p95 <= TARGET_MS,
            f"p50; p95 {p95:,.0f} ms over {len(every)} searches ({len(mix)} queries × {len(USERS)} roles); "
            f"slowest kind {worst} (p95 {pct(by_kind[worst], 95) * 1000:,.0f} ms); "
            f"load {os.getloadavg()[0]:.1f}",
        )
    ]
    for kind, samples in sorted(by_kind.items()):
        k95 = pct(samples, 95) * 1000
        figures.append(
            Figure(
                f"workbench search: {kind}",
                pct(samples, 50) * 1000,
                "ms",
                f"p95 ≤ {TARGET_MS} ms",
                k95 <= TARGET_MS,
                f"p50; p95 {k95:,.0f} ms over {len(samples)} searches",
            )
        )
    return figures

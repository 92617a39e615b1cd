"""Data sharing: the OGC API – Features endpoint's answer times over HTTP (the real app under uvicorn), p50/p95 of
20 requests each after 3 untimed: public reports (whole city; a 2 km box; the last 7 days, 1,000 a page; a deep
page), a partner's ``cases`` (every 小类 and district, 1,000 a page of the last 30 days; a box), service points.
The key is created for the run and revoked after it (its audit rows stay, as every partner's do).

``python -m bench.ogc BASE_URL KEY`` measures a running app with a key of your own (e.g. the small demo city)."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

import httpx

from bench.common import BenchContext, Figure, pct, timed
from geo.crs import TZ
from ops.partners import create_key, revoke_key

RUNS = 20
TARGET_S = 1.0  # p95 of one page (≤ 1,000 features) on 1M cases


def _queries() -> list[tuple[str, str, dict[str, str], bool]]:
    week = (datetime.now(TZ) - timedelta(days=7)).date().isoformat()
    month = (datetime.now(TZ) - timedelta(days=30)).date().isoformat()
    box = "106.70,26.57,106.72,26.59"  # about 2 km × 2 km in 云岩/南明
    return [
        ("public_reports, city, 10 a page", "public_reports", {}, False),
        ("public_reports, 2 km box, 100 a page", "public_reports", {"bbox": box, "limit": "100"}, False),
        ("public_reports, last 7 days, 1,000 a page", "public_reports", {"datetime": f"{week}/..", "limit": "1000"}, False),
        ("public_reports, page at offset 100,000", "public_reports", {"offset": "100000", "limit": "100"}, False),
        ("cases (key), last 30 days, 1,000 a page", "cases", {"datetime": f"{month}/..", "limit": "1000"}, True),
        ("cases (key), 2 km box, 100 a page", "cases", {"bbox": box, "limit": "100"}, True),
        ("service_points, 1,000 a page", "service_points", {"limit": "1000"}, False),
    ]  # fmt: skip


def measure(base: str, key: str, cases: int | None = None) -> list[Figure]:
    out = []
    with httpx.Client(base_url=base, timeout=120) as client:
        for name, cid, params, keyed in _queries():
            headers = {"X-API-Key": key} if keyed else {}
            url = f"/ogc/collections/{cid}/items"

            def get(
                url: str = url, params: dict[str, str] = params, headers: dict[str, str] = headers
            ) -> None:
                r = client.get(url, params=params, headers=headers)
                r.raise_for_status()

            samples = timed(get, RUNS)
            p95 = pct(samples, 95)
            ok = p95 <= TARGET_S if cases == 1_000_000 else None
            note = f"p50 {pct(samples, 50) * 1000:,.0f} ms"
            out.append(
                Figure(f"OGC items: {name} (p95)", p95 * 1000, "ms", f"≤ {TARGET_S * 1000:,.0f} ms", ok, note)
            )
    return out


def run(ctx: BenchContext) -> list[Figure]:
    base = ctx.app_base_url()
    with ctx.engine.begin() as conn:
        info, key = create_key(conn, name="bench-ogc", categories=["all"], districts=["all"], per_minute=10_000,
                               actor="bench")  # fmt: skip
    try:
        return measure(base, key, ctx.cases)
    finally:
        with ctx.engine.begin() as conn:
            revoke_key(conn, info.id, actor="bench")


if __name__ == "__main__":  # pragma: no cover - a measuring tool
    for f in measure(sys.argv[1], sys.argv[2]):
        print(f"{f.name}: {f.value:,.0f} {f.unit} ({f.note})")

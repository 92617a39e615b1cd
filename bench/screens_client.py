"""The open screens of :mod:`bench.screens`: asyncio streams (:mod:`bench.http_lite`), each screen holding
``/push/events`` as the browser does:

- a screen calls its catch-up callback on a doorbell (``assets/gy_push.js``: one catch-up at a time; a doorbell
  that rings meanwhile is answered when the previous catch-up has landed; a doorbell whose transaction the
  screen's cursor holds already asks nothing, :func:`db.snapshots.visible`, the rule ``gy.snapshot.sees`` follows);
- a wall holds ``/push/events?feed=wall`` and merges the wall feed's deltas that follow on from its cursor
  (:func:`db.snapshots.covers`), calling its catch-up callback only for the others and for doorbells
  (``assets/wall.js``), and reads its KPI tiles a moment after something new (spread as ``kpiSoon`` does);
- a workbench holds ``/push/events?feed=workbench`` and merges its scope's deltas the same way
  (``assets/gy_push.js``; the queue's re-read after a change is not asked for, as before);

plus a probe calling the wall's heat + pins callbacks. For each merged delta it records the time from the commit of
its newest event (the writer's clock, ``commits``: event id → time) to its arrival. No ``run()``: part of
:mod:`bench.screens`."""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.http_lite import Connection, HttpError
from bench.map_common import STREET, viewport
from bench.map_http import callback_body
from db.snapshots import follows, visible

#: assets/wall.js: the KPI tiles are read KPI_AFTER_MS + up to KPI_SPREAD_MS after something new
KPI_AFTER_S, KPI_SPREAD_S = 1.0, 4.0
CONFIG = {"rotate": 0, "fallback": 45, "window": "7d", "scale": "heat", "colors": ["#000"] * 5}


@dataclass
class Samples:
    catch_up: list[float] = field(default_factory=list)
    probe: list[float] = field(default_factory=list)
    #: every screen: the commit of a delta's newest event → the delta merged; the walls' KPI tiles' reads
    delivered: list[float] = field(default_factory=list)
    kpis: list[float] = field(default_factory=list)
    merged: int = 0
    doorbells: int = 0
    errors: list[str] = field(default_factory=list)
    streams_open: int = 0


def _output(body: dict[str, Any], comp: str, prop: str) -> Any:
    return (body.get("response") or {}).get(comp, {}).get(prop)


class Screen:
    """One open page of the app at ``base``: ``kind`` "wall" or "workbench", signed in with ``headers``."""

    def __init__(
        self,
        base: str,
        kind: str,
        deps: list[dict[str, Any]],
        headers: dict[str, str],
        commits: dict[int, float],
    ) -> None:
        self.base, self.kind, self.deps, self.headers, self.commits = base, kind, deps, headers, commits
        self.calls = Connection(base, headers)
        self.kpi_calls = Connection(base, headers)
        self.cursor: str | None = None
        self.bell: dict[str, Any] = {}
        self.rung = asyncio.Event()
        self.changed: Any = None
        self.slow: Any = None
        self.busy = False  # a catch-up under way: the deltas that come meanwhile wait for it (wall.js)
        self.waiting: list[dict[str, Any]] = []
        self.kpi_due: asyncio.Task[None] | None = None

    def body(self) -> dict[str, Any]:
        bell = {"id": self.bell.get("id"), "x": self.bell.get("x"), "n": 1}
        if self.kind == "wall":
            values = {"wall-doorbell.data": bell, "wall-fallback.n_intervals": 0, "wall-cursor.data": self.cursor,
                      "wall-base-reload.data": 0, "gy-lang.data": "zh"}  # fmt: skip
            return callback_body(self.deps, "wall-cursor.data", values, "wall-doorbell.data")
        values = {"wbp-doorbell.data": bell, "wbp-cursor.data": self.cursor, "wbp-changed.data": self.changed,
                  "wbp-slow.data": self.slow}  # fmt: skip
        return callback_body(self.deps, "wbp-cursor.data", values, "wbp-doorbell.data")

    def apply(self, got: dict[str, Any]) -> None:
        cursor = _output(got, f"{'wall' if self.kind == 'wall' else 'wbp'}-cursor", "data")
        self.cursor = cursor if cursor is not None else self.cursor  # an output left out keeps its value
        if self.kind == "wall":  # the delta is merged in the browser (assets/wall.js mergeLive): not here
            return
        changed = _output(got, "wbp-changed", "data")
        self.changed = changed if changed is not None else self.changed
        slow = _output(got, "wbp-slow", "data")
        self.slow = slow if slow is not None else self.slow

    async def listen(self, samples: Samples, stop: asyncio.Event, measuring: asyncio.Event) -> None:
        """Hold the event stream; each doorbell is kept (the last one stands for all) and rings, unless the
        screen's cursor holds its transaction already; a delta is merged, or rings when it does not follow on."""
        stream = Connection(self.base, self.headers)
        samples.streams_open += 1
        event = ""
        try:
            async for line in stream.lines(
                "/push/events?feed=wall" if self.kind == "wall" else "/push/events?feed=workbench"
            ):
                if stop.is_set():
                    return
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event in ("doorbell", "delta"):
                    data = json.loads(line[5:])
                    if not isinstance(data.get("id"), int) or visible(data.get("x"), self.cursor):
                        continue
                    if event == "delta" and self.busy:
                        self.waiting = [*self.waiting, data][-8:]
                    elif event == "delta" and self.follows(data):
                        self.merge(data, samples, measuring)
                        continue
                    self.bell = data
                    self.rung.set()
        finally:
            samples.streams_open -= 1
            stream.close()

    def follows(self, d: dict[str, Any]) -> bool:
        return follows(self.cursor, d.get("from"), d.get("to"))

    def merge(self, d: dict[str, Any], samples: Samples, measuring: asyncio.Event) -> None:
        self.cursor = d["to"]
        if measuring.is_set():
            samples.merged += 1
            if d.get("id") in self.commits:  # the newest event heard of: the writer's last report, mostly
                samples.delivered.append(time.perf_counter() - self.commits[d["id"]])
        if self.kind == "wall" and (self.kpi_due is None or self.kpi_due.done()):
            self.kpi_due = asyncio.create_task(self.read_kpis(samples, measuring))

    async def read_kpis(self, samples: Samples, measuring: asyncio.Event) -> None:
        await asyncio.sleep(KPI_AFTER_S + random.random() * KPI_SPREAD_S)  # nosec B311 # load spread, not security
        values = {"wall-kpi-bell.data": self.cursor, "wall-fallback.n_intervals": 0, "gy-lang.data": "zh"}
        body = callback_body(self.deps, "wall-kpis.children", values, "wall-kpi-bell.data")
        t0 = time.perf_counter()
        try:
            status, _ = await self.kpi_calls.post_json("/_dash-update-component", body)
        except HttpError as exc:
            samples.errors.append(str(exc))
            return
        if status != 200:
            samples.errors.append(f"kpis {status}")
        elif measuring.is_set():
            samples.kpis.append(time.perf_counter() - t0)

    def landed(self, samples: Samples, measuring: asyncio.Event) -> None:
        """A catch-up landed: the deltas that came meanwhile are merged if they follow on (wall.js ``settled``)."""
        self.busy = False
        waiting, self.waiting = self.waiting, []
        for d in waiting:
            if not visible(d.get("x"), self.cursor) and self.follows(d):
                self.merge(d, samples, measuring)
        if self.rung.is_set() and visible(self.bell.get("x"), self.cursor):
            self.rung.clear()

    async def catch_up_loop(self, samples: Samples, stop: asyncio.Event, measuring: asyncio.Event) -> None:
        while not stop.is_set():
            await self.rung.wait()
            self.rung.clear()
            if stop.is_set():
                return
            t0 = time.perf_counter()
            self.busy = True
            try:
                status, got = await self.calls.post_json("/_dash-update-component", self.body())
            except HttpError as exc:
                samples.errors.append(str(exc))
                self.busy = False
                continue
            took = time.perf_counter() - t0
            if status == 200:
                self.apply(got)
            self.landed(samples, measuring)
            if status not in (200, 204):
                samples.errors.append(f"catch-up {status}")
                continue
            if measuring.is_set():
                samples.catch_up.append(took)
                samples.doorbells += 1

    def close(self) -> None:
        self.calls.close()
        self.kpi_calls.close()
        if self.kpi_due is not None:
            self.kpi_due.cancel()


async def probe(
    client: httpx.AsyncClient,
    deps: list[dict[str, Any]],
    headers: dict[str, str],
    samples: Samples,
    stop: asyncio.Event,
    measuring: asyncio.Event,
) -> None:
    """The wall's heat + pins callbacks at street zoom, in parallel as the browser sends them, once a second."""
    values = {"wall-view.data": viewport(*STREET), "wall-window.value": "7d", "gy-lang.data": "zh",
              "wall-config.data": CONFIG, "wall-base-reload.data": 0, "wall-fallback.n_intervals": 0}  # fmt: skip
    heat = callback_body(deps, "wall-heat-geo.data", values, "wall-view.data")
    pins = callback_body(deps, "wall-base.data", values, "wall-view.data")
    while not stop.is_set():
        t0 = time.perf_counter()
        got = await asyncio.gather(
            *(client.post("/_dash-update-component", json=b, headers=headers) for b in (heat, pins)),
            return_exceptions=True,
        )
        took = time.perf_counter() - t0
        bad = [g for g in got if isinstance(g, BaseException) or g.status_code != 200]
        if bad:
            samples.errors.append(f"probe {bad[0]!r}"[:80])
        elif measuring.is_set():
            samples.probe.append(took)
        await asyncio.sleep(max(0.0, 1.0 - took))

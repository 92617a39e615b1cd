"""The open screens of :mod:`bench.screens`: asyncio + httpx, each screen holding ``/push/events`` and calling
its catch-up callback on every doorbell as the browser does (``assets/gy_push.js``: one catch-up at a time; a
doorbell that rings meanwhile is answered when the previous catch-up has landed; the server answers 204 when
the page's snapshot holds the doorbell already), plus a probe calling the wall's
heat + pins callbacks. No ``run()``: part of :mod:`bench.screens`."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.map_common import STREET, viewport
from bench.map_http import callback_body

CONFIG = {"rotate": 0, "fallback": 45, "window": "7d", "scale": "heat", "colors": ["#000"] * 5}


@dataclass
class Samples:
    catch_up: list[float] = field(default_factory=list)
    probe: list[float] = field(default_factory=list)
    doorbells: int = 0
    errors: list[str] = field(default_factory=list)
    streams_open: int = 0


def _output(body: dict[str, Any], comp: str, prop: str) -> Any:
    return (body.get("response") or {}).get(comp, {}).get(prop)


class Screen:
    """One open page: ``kind`` "wall" or "workbench", signed in with ``cookies``."""

    def __init__(
        self, client: httpx.AsyncClient, kind: str, deps: list[dict[str, Any]], headers: dict[str, str]
    ) -> None:
        self.client, self.kind, self.deps, self.headers = client, kind, deps, headers
        self.cursor: str | None = None
        self.bell: dict[str, Any] = {}
        self.rung = asyncio.Event()
        self.live: dict[str, Any] = {}
        self.ticker: list[Any] = []
        self.as_of: int | None = None
        self.changed: Any = None
        self.slow: Any = None

    def body(self) -> dict[str, Any]:
        bell = {"id": self.bell.get("id"), "x": self.bell.get("x"), "n": 1}
        if self.kind == "wall":
            values = {"wall-doorbell.data": bell, "wall-fallback.n_intervals": 0, "wall-cursor.data": self.cursor,
                      "wall-live.data": self.live, "wall-ticker-store.data": self.ticker,
                      "wall-base-as-of.data": self.as_of, "wall-base-reload.data": 0, "gy-lang.data": "zh"}  # fmt: skip
            return callback_body(self.deps, "wall-cursor.data", values, "wall-doorbell.data")
        values = {"wbp-doorbell.data": bell, "wbp-cursor.data": self.cursor, "wbp-changed.data": self.changed,
                  "wbp-slow.data": self.slow}  # fmt: skip
        return callback_body(self.deps, "wbp-cursor.data", values, "wbp-doorbell.data")

    def apply(self, got: dict[str, Any]) -> None:
        if self.kind == "wall":
            self.cursor = _output(got, "wall-cursor", "data")
            self.live = _output(got, "wall-live", "data") or self.live
            self.ticker = _output(got, "wall-ticker-store", "data") or self.ticker
            if self.as_of is None:
                self.as_of = self.bell.get("id")  # as if the base layer was read at the first catch-up
            return
        self.cursor = _output(got, "wbp-cursor", "data")
        changed = _output(got, "wbp-changed", "data")
        self.changed = changed if changed is not None else self.changed
        slow = _output(got, "wbp-slow", "data")
        self.slow = slow if slow is not None else self.slow

    async def listen(self, samples: Samples, stop: asyncio.Event) -> None:
        """Hold the event stream; each doorbell is kept (the last one stands for all) and rings."""
        async with self.client.stream("GET", "/push/events", headers=self.headers, timeout=None) as r:
            r.raise_for_status()
            samples.streams_open += 1
            event = ""
            try:
                async for line in r.aiter_lines():
                    if stop.is_set():
                        return
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:") and event == "doorbell":
                        data = json.loads(line[5:])
                        if isinstance(data.get("id"), int):
                            self.bell = data
                            self.rung.set()
            finally:
                samples.streams_open -= 1

    async def catch_up_loop(self, samples: Samples, stop: asyncio.Event, measuring: asyncio.Event) -> None:
        while not stop.is_set():
            await self.rung.wait()
            self.rung.clear()
            if stop.is_set():
                return
            t0 = time.perf_counter()
            try:
                r = await self.client.post("/_dash-update-component", json=self.body(), headers=self.headers)
            except httpx.HTTPError as exc:
                samples.errors.append(repr(exc)[:80])
                continue
            took = time.perf_counter() - t0
            if r.status_code == 200:
                self.apply(r.json())
            elif r.status_code != 204:
                samples.errors.append(f"catch-up {r.status_code}")
                continue
            if measuring.is_set():
                samples.catch_up.append(took)
                samples.doorbells += 1


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

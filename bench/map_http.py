"""The wall's map callbacks over HTTP, as the browser calls them: signed in as the demo lead, heatmap and pins
(Dash's ``/_dash-update-component``, bodies built from ``/_dash-dependencies``) at city and street zoom, and the
department response panel. No ``run()``: part of :mod:`bench.map`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from bench.common import Figure, pct, sign_in, timed
from bench.map_common import CITY, PASSWORD, RUNS, STREET, latency_figure, viewport


def signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    sign_in(client, "lead", PASSWORD, "/wall")
    client.headers["X-CSRFToken"] = client.cookies["_csrf_token"]
    return client


def callback_body(
    deps: list[dict[str, Any]], first: str, values: dict[str, Any], changed: str
) -> dict[str, Any]:
    dep = next(d for d in deps if d["output"].strip(".").split("...")[0] == first)
    outputs = [o.split(".") for o in dep["output"].strip(".").split("...")]

    def item(x: dict[str, str]) -> dict[str, Any]:
        return {"id": x["id"], "property": x["property"], "value": values.get(f"{x['id']}.{x['property']}")}

    described = [{"id": i, "property": p.split("@")[0]} for i, p in outputs]
    return {
        "output": dep["output"],
        "outputs": described if dep["output"].startswith("..") else described[0],
        "inputs": [item(x) for x in dep["inputs"]],
        "changedPropIds": [changed],
        "state": [item(x) for x in dep["state"]],
    }


def http_figures(base: str) -> list[Figure]:
    figures: list[Figure] = []
    client = signed_in(base)
    try:
        deps = client.get("/_dash-dependencies").json()
        config = {"rotate": 0, "fallback": 45, "window": "7d", "scale": "heat", "colors": ["#000"] * 5}
        for name, (center, zoom) in (("city", CITY), ("street", STREET)):
            view = viewport(center, zoom)
            values = {"wall-view.data": view, "wall-window.value": "7d",
                      "gy-lang.data": "zh", "wall-config.data": config, "wall-base-reload.data": 0,
                      "wall-fallback.n_intervals": 0}  # fmt: skip
            heat = callback_body(deps, "wall-heat-geo.data", values, "wall-view.data")
            pins = callback_body(deps, "wall-base.data", values, "wall-view.data")
            sizes: dict[str, int] = {}

            def post(body: dict[str, Any], key: str, sizes: dict[str, int] = sizes) -> Callable[[], None]:
                def once() -> None:
                    r = client.post("/_dash-update-component", json=body)
                    r.raise_for_status()
                    sizes[key] = len(r.content)

                return once

            t0 = time.perf_counter()
            post(heat, "heat")()
            cold = time.perf_counter() - t0
            t_heat, t_pins = timed(post(heat, "heat"), RUNS), timed(post(pins, "pins"), RUNS)
            both = [a + b for a, b in zip(t_heat, t_pins, strict=True)]
            figures.append(
                latency_figure(
                    f"wall heatmap + pins callbacks over HTTP, {name} zoom {zoom}",
                    both,
                    150,
                    f"; sum of the two (the browser sends them in parallel): heat p95 {pct(t_heat, 95) * 1000:.0f} ms"
                    f" ({sizes['heat'] / 1024:,.0f} KiB), pins p95 {pct(t_pins, 95) * 1000:.0f} ms"
                    f" ({sizes['pins'] / 1024:,.0f} KiB); first heat call {cold * 1000:.0f} ms",
                )
            )
        values = {"wall-fallback.n_intervals": 1, "gy-lang.data": "zh"}
        panel = callback_body(deps, "wall-panel.children", values, "wall-fallback.n_intervals")
        figures.append(
            latency_figure(
                "wall response panel callback over HTTP (shared 30 s)",
                timed(lambda: client.post("/_dash-update-component", json=panel).raise_for_status(), 10),
                300,
            )
        )
    finally:
        client.close()
    return figures

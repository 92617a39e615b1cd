"""The wall's compact wire formats (``dashboard/components/wall_wire.py``), built from the plain read models of
``db/queries/live.py``: exactly the lists ``assets/wall.js`` reads (key order included, as they are sent)."""

from __future__ import annotations

import json

from dashboard.components import wall_wire as wire
from db.queries.live import Bubble, DistrictOutline, Pin, Pins

# ORIGIN (106.0, 26.0), QUANTUM 100 000: lon = 106 + x / 1e5
A = Pin(7, 106.71234, 26.58765, "y", escalated=True, alarm=True)
B = Pin(5, 106.5, 26.25, "g", escalated=False)


def _text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_pins_are_columnar_and_quantised() -> None:
    cols = wire.pin_columns(Pins("pins", [A, B], as_of=42, capped=False))
    assert _text(cols) == _text(
        {
            "mode": "pins",
            "o": [106.0, 26.0],
            "q": 100000,
            "id": [7, 5],
            "x": [71234, 50000],
            "y": [58765, 25000],
            "l": "yg",
            "u": [7],
            "a": [7],
        }
    )


def test_bubbles_carry_counts_and_the_alarms_single() -> None:
    pins = Pins("bubbles", [A], as_of=42, capped=False, bubbles=[Bubble(12, 106.6, 26.5, 3, 2, 1)])
    assert len(pins) == 13
    assert _text(wire.pin_columns(pins)) == _text(
        {
            "mode": "bubbles",
            "o": [106.0, 26.0],
            "q": 100000,
            "x": [60000],
            "y": [50000],
            "n": [12],
            "ny": [3],
            "nr": [2],
            "nu": [1],
            "id": [7],
            "ax": [71234],
            "ay": [58765],
            "l": "y",
        }
    )


def test_a_catch_up_pin_is_a_feature_with_its_last_event() -> None:
    pin = Pin(9, 106.123456789, 26.5, "r", escalated=False, ticket="GY2026000009", event_id=77)
    assert _text(wire.pin_feature(pin)) == _text(
        {
            "type": "Feature",
            "id": 9,
            "geometry": {"type": "Point", "coordinates": [106.123457, 26.5]},
            "properties": {"id": 9, "t": "GY2026000009", "l": "r", "u": 0, "ev": 77},
        }
    )
    assert "ev" not in wire.pin_feature(Pin(9, 106.1, 26.5, "g", True))["properties"]


def test_district_outlines_are_quantised() -> None:
    ring = [[106.1, 26.2], [106.2, 26.2], [106.2, 26.3], [106.1, 26.2]]
    outlines = [DistrictOutline("520102", [ring], True), DistrictOutline("520111", [[ring]], False)]
    q = [[10000, 20000], [20000, 20000], [20000, 30000], [10000, 20000]]
    assert _text(wire.districts_compact(outlines)) == _text(
        {
            "level": "district",
            "o": [106.0, 26.0],
            "q": 100000,
            "k": ["520102", "520111"],
            "g": [[q], [[q]]],
            "grid": [True, False],
        }
    )

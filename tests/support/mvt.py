"""A small reader of Mapbox vector tiles (protocol buffers, spec 2.1) for the tests: layers, features with their
properties and geometry in tile coordinates. Enough to check what a tile holds, nothing more."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def _fields(buf: bytes) -> list[tuple[int, Any]]:
    """(field number, value) pairs of one message: ints for varints, bytes for length-delimited fields."""
    out: list[tuple[int, Any]] = []
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 2:
            n, i = _varint(buf, i)
            value, i = buf[i : i + n], i + n
        elif wire == 1:
            value, i = struct.unpack("<d", buf[i : i + 8])[0], i + 8
        elif wire == 5:
            value, i = struct.unpack("<f", buf[i : i + 4])[0], i + 4
        else:
            raise ValueError(f"wire type {wire}")
        out.append((number, value))
    return out


def _packed(buf: bytes) -> list[int]:
    vals, i = [], 0
    while i < len(buf):
        v, i = _varint(buf, i)
        vals.append(v)
    return vals


def _value(buf: bytes) -> Any:
    number, v = _fields(buf)[0]
    if number == 1:
        return v.decode()
    if number in (2, 3):
        return v
    if number in (4, 5):
        return v
    if number == 6:
        return (v >> 1) ^ -(v & 1)
    return bool(v)


@dataclass
class Feature:
    type: int  # 1 point, 2 line, 3 polygon
    properties: dict[str, Any]
    points: list[tuple[int, int]] = field(default_factory=list)  # every vertex, in tile coordinates


@dataclass
class Layer:
    name: str
    extent: int
    features: list[Feature]


def _points(commands: list[int]) -> list[tuple[int, int]]:
    pts: list[tuple[int, int]] = []
    x = y = i = 0
    while i < len(commands):
        cmd, count = commands[i] & 7, commands[i] >> 3
        i += 1
        if cmd == 7:
            continue
        for _ in range(count):
            dx, dy = commands[i], commands[i + 1]
            i += 2
            x += (dx >> 1) ^ -(dx & 1)
            y += (dy >> 1) ^ -(dy & 1)
            pts.append((x, y))
    return pts


def read_tile(data: bytes) -> dict[str, Layer]:
    layers: dict[str, Layer] = {}
    for number, raw in _fields(data):
        if number != 3:
            continue
        parts = _fields(raw)
        name = next(v.decode() for n, v in parts if n == 1)
        extent = next((v for n, v in parts if n == 5), 4096)
        keys = [v.decode() for n, v in parts if n == 3]
        values = [_value(v) for n, v in parts if n == 4]
        feats = []
        for n, fraw in parts:
            if n != 2:
                continue
            f = _fields(fraw)
            tags = next((_packed(v) for k, v in f if k == 2), [])
            props = {keys[tags[j]]: values[tags[j + 1]] for j in range(0, len(tags), 2)}
            geom = next((_packed(v) for k, v in f if k == 4), [])
            feats.append(Feature(next((v for k, v in f if k == 3), 0), props, _points(geom)))
        layers[name] = Layer(name, extent, feats)
    return layers

"""The house keeps its shape (issue #11): no top-level package over 40 % of the code lines, imports only point
down the layers ``geo → db → ops → demo → dashboard → cli → bench``, and no module imports itself in a circle."""

from __future__ import annotations

from bench.house import LAYERS, MAX_SHARE, _cycles, measure


def test_no_package_holds_too_much() -> None:
    house = measure()
    assert house.total > 10_000  # the measure sees the code
    for package in LAYERS:
        assert house.share(package) <= MAX_SHARE, (package, f"{house.share(package):.1%}")


def test_imports_point_down_and_never_in_circles() -> None:
    house = measure()
    assert house.imports["ops.states"] >= {"db.vocabulary"}  # the measure sees imports
    assert house.upward == []
    assert house.cycles == []


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]

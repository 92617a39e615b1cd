"""What a screen has seen (:mod:`db.snapshots`): a snapshot's text read as PostgreSQL writes it, anything else
refused (an old screen's event id, a tampered store), and whether a doorbell's transaction is in it."""

from __future__ import annotations

import pytest

from db import snapshots


def test_a_snapshot_sees_what_committed_before_it_only() -> None:
    s = snapshots.parse("100:110:103,107")
    assert s is not None and s.xip == frozenset({103, 107})
    assert s.sees(99) and s.sees(104) and s.sees(109)
    assert not s.sees(103) and not s.sees(107)  # in progress when it was taken
    assert not s.sees(110) and not s.sees(5000)  # not begun yet
    assert snapshots.visible(104, "100:110:103,107") and snapshots.visible("104", "100:110:103,107")
    assert not snapshots.visible(103, "100:110:103,107")
    assert snapshots.parse("28190:28190:") == snapshots.Snapshot(28190, 28190, frozenset())


@pytest.mark.parametrize(
    "value",
    [
        None,
        5,
        "5",
        "",
        "1:2",
        "10:5:",
        "10:20:25",
        "10:20:3",
        "a:b:",
        "1:2:,",
        "1:20:3;4",
        True,
        " 1:2:",
        ["1:2:"],
    ],
)
def test_anything_else_is_no_snapshot(value: object) -> None:
    assert snapshots.parse(value) is None and snapshots.valid(value) is None
    assert not snapshots.visible(1, value)  # unknown: the screen reads


@pytest.mark.parametrize("xid", [None, -1, True, "x", "1.5", 1.5, "12345678901234567890"])
def test_an_unknown_transaction_is_never_taken_as_seen(xid: object) -> None:
    assert not snapshots.visible(xid, "100:110:")


def test_snapshots_that_see_the_same_events_make_one_cursor() -> None:
    # the newest event's transaction is 105: whatever ran after it (without an event) changes nothing
    assert snapshots.canonical("100:110:103,107", 105) == "103:106:103"
    assert snapshots.canonical("100:140:103,120,131", 105) == "103:106:103"
    assert snapshots.canonical("104:112:", 105) == "106:106:"
    assert snapshots.canonical("106:106:", "105") == "106:106:"
    assert snapshots.canonical("90:95:91", None) == "1:1:"  # no event has a transaction: before them all
    # what the cursor sees of the transactions that wrote events is what the snapshot saw
    for x in range(95, 112):
        if x <= 105:
            assert snapshots.parse("100:110:103,107").sees(x) == snapshots.parse("103:106:103").sees(x)  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        snapshots.canonical("junk", 1)


def test_a_later_snapshot_covers_an_earlier_one() -> None:
    assert snapshots.covers("103:112:103,107", "100:110:103,107")  # 103 and 107 were running in both
    assert snapshots.covers("108:112:", "100:110:103,107")  # both committed since
    assert snapshots.covers("100:110:103,107", "100:110:103,107")
    assert not snapshots.covers("100:110:103,107", "103:112:103,107")  # misses 110 and 111
    assert not snapshots.covers("100:112:104", "100:110:103,107")  # 104 was seen by the smaller one
    assert not snapshots.covers("1:1:", "junk") and not snapshots.covers(None, "1:1:")


def test_covers_means_every_transaction_seen_is_seen() -> None:
    """Against the definition, over every small snapshot pair: ``covers`` never claims what is not so."""
    import itertools

    def texts() -> list[str]:
        out = []
        for xmin, xmax in itertools.combinations_with_replacement(range(1, 7), 2):
            inner = list(range(xmin, xmax))
            for k in range(len(inner) + 1):
                out += [f"{xmin}:{xmax}:{','.join(map(str, c))}" for c in itertools.combinations(inner, k)]
        return out

    claimed = 0
    for big, small in itertools.product(texts(), repeat=2):
        b, s = snapshots.parse(big), snapshots.parse(small)
        assert b is not None and s is not None
        truth = all(b.sees(x) for x in range(0, 9) if s.sees(x))
        if snapshots.covers(big, small):
            claimed += 1
            assert truth, (big, small)
        elif b.xmax >= s.xmax:
            assert not truth, (big, small)  # refused only when it would have to list transactions
    assert claimed > 100

"""The one bounds parser: query strings and dash-leaflet viewports to a ``BBox``, refusing what is not a box."""

from __future__ import annotations

import pytest

from geo.bbox import bbox_of_view, checked, parse_bbox


def test_a_query_string() -> None:
    assert parse_bbox("106.6,26.5,106.8,26.7") == (106.6, 26.5, 106.8, 26.7)


@pytest.mark.parametrize(
    "value", [None, "", "1,2,3", "1,2,3,4,5", "a,b,c,d", "106.8,26.5,106.6,26.7", "0,95,1,96", "-181,0,0,1"]
)
def test_not_a_box(value: str | None) -> None:
    assert parse_bbox(value) is None


def test_a_viewport() -> None:
    assert bbox_of_view({"bounds": [[26.5, 106.6], [26.7, 106.8]], "zoom": 12}) == (106.6, 26.5, 106.8, 26.7)
    assert bbox_of_view({"bounds": [["26.5", "106.6"], ["26.7", "106.8"]]}) == (106.6, 26.5, 106.8, 26.7)


@pytest.mark.parametrize(
    "view",
    [
        None,
        {},
        {"bounds": None},
        {"bounds": [[1, 2]]},
        {"bounds": [["x", 2], [3, 4]]},
        {"bounds": [[26.7, 106.8], [26.5, 106.6]]},
    ],
)
def test_not_a_viewport(view: dict | None) -> None:  # type: ignore[type-arg]
    assert bbox_of_view(view) is None


def test_checked() -> None:
    assert checked(-180, -90, 180, 90) == (-180, -90, 180, 90)
    assert checked(1, 1, 1, 2) is None

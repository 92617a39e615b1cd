"""The analysis filters: defaults, a valid period and codes pass, nonsense is refused with a field."""

from __future__ import annotations

import pytest

from db.errors import ValidationError
from ops.analysis.filters import Filters, parse_filters


def test_defaults_and_valid_values() -> None:
    assert parse_filters(None) == Filters()
    assert parse_filters({"days": "7", "category": "C01", "district": "520103"}) == Filters(
        7, "C01", "520103"
    )
    assert parse_filters({"days": 30, "category": "", "district": None}) == Filters(30)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"days": 0}, "days"),
        ({"days": 366}, "days"),
        ({"days": "x"}, "days"),
        ({"category": "a;b"}, "category"),
        ({"district": ["520103"]}, "district"),
    ],
)
def test_nonsense_is_refused(data: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_filters(data)
    assert err.value.field == field

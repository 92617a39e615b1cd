"""Shared by the Alembic environment and the drift test."""

from __future__ import annotations

from typing import Any

from geoalchemy2 import alembic_helpers

IGNORED_TABLES = {"spatial_ref_sys"}


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if type_ == "table" and name in IGNORED_TABLES:
        return False
    return bool(alembic_helpers.include_object(obj, name, type_, reflected, compare_to))

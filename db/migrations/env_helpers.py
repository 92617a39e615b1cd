"""Shared by the Alembic environment and the drift test."""

from __future__ import annotations

from typing import Any

from geoalchemy2 import alembic_helpers

from db.partitions import parent_of

IGNORED_TABLES = {"spatial_ref_sys"}


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if type_ == "table" and name in IGNORED_TABLES:
        return False
    # the monthly partitions of the history tables are made by gy_ensure_partitions, not by the models
    if type_ == "table" and reflected and name and parent_of(name):
        return False
    return bool(alembic_helpers.include_object(obj, name, type_, reflected, compare_to))

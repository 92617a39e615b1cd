"""Whose cases an analysis reads: the center the city, an officer their district, department staff the
categories their department answers for, anyone else nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text

from db.accounts import load_identity
from ops.analysis.scope import AnalysisScope, analysis_scope

pytestmark = pytest.mark.db


def _scope(conn: Connection, name: str) -> AnalysisScope:
    uid = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": name}).scalar_one()
    ident = load_identity(conn, uid)
    assert ident is not None
    return analysis_scope(conn, ident)


def _count(conn: Connection, scope: AnalysisScope) -> int:
    sql = f"SELECT count(*) FROM category c CROSS JOIN district d WHERE {scope.where(district='d.code', category='c.code')}"
    return int(conn.execute(text(sql), scope.params()).scalar_one())


def test_each_role_reads_its_own(conn: Connection) -> None:
    lead, officer, dep, mod = (_scope(conn, n) for n in ("lead", "yunyan", "cgj", "moderator"))
    assert lead.city_wide
    assert officer == AnalysisScope(district="520103")
    assert dep.categories and "C0101" in dep.categories and dep.district is None
    assert mod.empty and _count(conn, mod) == 0
    total = _count(conn, lead)
    assert 0 < _count(conn, officer) < total
    assert 0 < _count(conn, dep) < total
    assert officer.allows(district="520103", category="X") and not officer.allows(
        district="520102", category="X"
    )
    assert dep.allows(district="520102", category="C0101")

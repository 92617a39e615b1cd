"""Partner keys (数据共享) in the database: created with their grants (``all`` expanded), the key kept only as its
hash, checked, revoked at once; refusals change nothing; every change in the audit log in the same transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text

from db.errors import NotFound, ValidationError
from ops.partners import KeyRefused, KeyRequired, check_key, create_key, list_keys, revoke_key


def _audit(conn: Connection, kind: str) -> list[dict[str, object]]:
    return list(
        conn.execute(text("SELECT detail FROM audit_log WHERE kind = :k ORDER BY id"), {"k": kind}).scalars()
    )


def test_create_check_revoke(conn: Connection) -> None:
    info, key = create_key(conn, name=" 住建局 ", categories=["C0101", "C0101"], districts=["520103"],
                           per_minute=30, actor="admin")  # fmt: skip
    assert key.startswith("gyp_") and len(key) > 40 and info.prefix == key[:10]
    assert (info.name, info.categories, info.districts, info.per_minute, info.active) == (
        "住建局", ("C0101",), ("520103",), 30, True)  # fmt: skip
    stored = conn.execute(text("SELECT key_hash FROM partner_key WHERE id = :i"), {"i": info.id}).scalar_one()
    assert key not in stored and len(stored) == 64
    grant = check_key(conn, key)
    assert (grant.key_id, grant.categories, grant.districts, grant.per_minute) == (
        info.id,
        ("C0101",),
        ("520103",),
        30,
    )
    with pytest.raises(KeyRequired):
        check_key(conn, None)
    with pytest.raises(KeyRefused):
        check_key(conn, key + "x")
    revoked = revoke_key(conn, info.id, actor="admin")
    assert not revoked.active and revoked.revoked_at is not None
    with pytest.raises(KeyRefused):
        check_key(conn, key)
    with pytest.raises(ValidationError):
        revoke_key(conn, info.id, actor="admin")
    with pytest.raises(NotFound):
        revoke_key(conn, 999_999, actor="admin")
    details = _audit(conn, "partner_key")[-2:]
    assert [d["action"] for d in details] == ["create", "revoke"]
    assert all(key not in str(d) for d in details)
    assert [k.id for k in list_keys(conn) if k.id == info.id] == [info.id]


def test_all_expands_to_every_code(conn: Connection) -> None:
    info, _ = create_key(conn, name="开放数据平台", categories=["all"], districts=["all"], actor="admin")
    n_cat = conn.execute(text("SELECT count(*) FROM category WHERE level = 2")).scalar_one()
    n_dist = conn.execute(text("SELECT count(*) FROM district")).scalar_one()
    assert (len(info.categories), len(info.districts)) == (n_cat, n_dist) and info.per_minute == 60


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"categories": []}, "categories"),
        ({"categories": ["C9999"]}, "categories"),
        ({"categories": ["C01"]}, "categories"),  # a 大类 is not granted as such
        ({"districts": ["999999"]}, "districts"),
        ({"per_minute": 0}, "per_minute"),
        ({"per_minute": 10_001}, "per_minute"),
        ({"per_minute": 2.5}, "per_minute"),
    ],
)
def test_refusals_change_nothing(conn: Connection, kw: dict[str, object], field: str) -> None:
    before = conn.execute(text("SELECT count(*) FROM partner_key")).scalar_one()
    audits = len(_audit(conn, "partner_key"))
    args: dict[str, object] = {
        "name": "交警",
        "categories": ["C0101"],
        "districts": ["520103"],
        "per_minute": 60,
        **kw,
    }
    with pytest.raises(ValidationError) as err:
        create_key(conn, actor="admin", **args)  # type: ignore[arg-type]
    assert err.value.field == field and err.value.zh and err.value.en
    assert conn.execute(text("SELECT count(*) FROM partner_key")).scalar_one() == before
    assert len(_audit(conn, "partner_key")) == audits

"""积分: rules kept as data (``points_rule``), awards into the append-only ``points_ledger``.

Report points are awarded by the database when a case closes (trigger ``case_points_on_close``, function
``gy_award_report_points``): whoever closes it, the first valid reporter gets the 小类's points once.
Verification points are awarded here when a citizen's answer is accepted. Either way the act's key (person_id,
reason, ref) is claimed first in ``points_claim`` (unique over all time; the ledger itself is partitioned by month,
migration 0037) with ON CONFLICT DO NOTHING, which makes a second award for the same act impossible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from db.errors import ValidationError
from db.models.citizen import RULE_REASONS

HISTORY_LIMIT = 200


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    points: int
    reason: str
    ticket: str | None
    created_at: datetime


def set_rule(conn: Connection, reason: str, category_code: str | None, points: int) -> None:
    """Create or change a rule (``category_code`` None: the reason's default)."""
    if reason not in RULE_REASONS:
        raise ValidationError("未知的积分事由。", f"Unknown points reason {reason}.", field="reason")
    if isinstance(points, bool) or not isinstance(points, int) or points < 0:
        raise ValidationError("积分须为非负整数。", "Points must be a whole number ≥ 0.", field="points")
    conn.execute(
        text(
            "INSERT INTO points_rule (reason, category_code, points) VALUES (:r, :c, :p) "
            "ON CONFLICT (reason, category_code) DO UPDATE SET points = EXCLUDED.points"
        ),
        {"r": reason, "c": category_code, "p": points},
    )


def points_for(conn: Connection, reason: str, category_code: str | None) -> int:
    """The rule's points: the 小类's rule, else the reason's default, else (reports) the catalog's points."""
    return int(
        conn.execute(text("SELECT gy_points_for(:r, :c)"), {"r": reason, "c": category_code}).scalar_one()
    )


def award(
    conn: Connection, person_id: int, reason: str, ref: str, points: int, *, case_id: int | None = None
) -> bool:
    """Append an award; ``False`` (and nothing written) when this act (person, reason, ref) was already
    rewarded or the rule gives no points."""
    if points <= 0:
        return False
    row = conn.execute(_AWARD, {"p": person_id, "c": case_id, "r": reason, "ref": ref, "n": points}).first()
    return row is not None


# the act's key is claimed first (unique over all time); only a claim made writes the ledger, in one statement
_AWARD = text(
    """
    WITH claim AS (
        INSERT INTO points_claim (person_id, reason, ref) VALUES (:p, :r, :ref)
        ON CONFLICT DO NOTHING RETURNING person_id
    )
    INSERT INTO points_ledger (person_id, case_id, reason, ref, points)
    SELECT :p, :c, :r, :ref, :n FROM claim RETURNING id
    """
)


def balance(conn: Connection, person_id: int) -> int:
    return int(
        conn.execute(
            text("SELECT coalesce(sum(points), 0) FROM points_ledger WHERE person_id = :p"), {"p": person_id}
        ).scalar_one()
    )


def history(conn: Connection, person_id: int, limit: int = HISTORY_LIMIT) -> list[LedgerEntry]:
    rows = conn.execute(
        text(
            'SELECT l.points, l.reason, c.ticket, l.created_at FROM points_ledger l LEFT JOIN "case" c '
            "ON c.id = l.case_id WHERE l.person_id = :p ORDER BY l.created_at DESC, l.id DESC LIMIT :n"
        ),
        {"p": person_id, "n": limit},
    ).all()
    return [LedgerEntry(*r) for r in rows]

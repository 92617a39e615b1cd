"""我来核实, the push: who is asked to verify a case reported handled (the supervisors, and the registered citizens
living near a public case), once per round. A round is the case's latest 'handle' event.
:func:`ops.commands.report_handled` calls :func:`create_tasks` in the transaction that handles the case;
:mod:`ops.citizen.verification` lists and answers the tasks."""

from __future__ import annotations

from sqlalchemy import Connection, text

ROUND_SQL = "(SELECT max(e.id) FROM case_event e WHERE e.case_id = c.id AND e.action = 'handle')"
# a bounding box around a point for the geometry index, then the exact spheroid distance
NEAR_SQL = (
    "{a} && ST_Expand({b}, 1.05 * :radius / (111320.0 * cos(radians(ST_Y({b})))), 1.05 * :radius / 110000.0) "
    "AND ST_DWithin({a}::geography, {b}::geography, :radius)"
)

_PUSH = text(
    f"""
    WITH r AS (SELECT c.id, c.geom, c.public, c.reporter_id, {ROUND_SQL} AS event_id
                 FROM "case" c WHERE c.id = :case AND c.status = 'handled')
    INSERT INTO verification_task (case_id, round_event_id, person_id)
    SELECT r.id, r.event_id, NULL FROM r WHERE r.event_id IS NOT NULL
    UNION ALL
    SELECT r.id, r.event_id, p.id FROM r JOIN person p
        ON p.registered AND p.home IS NOT NULL AND {NEAR_SQL.format(a="p.home", b="r.geom")}
     WHERE r.event_id IS NOT NULL AND r.public AND p.id IS DISTINCT FROM r.reporter_id
    ON CONFLICT DO NOTHING
    """  # nosec B608 # SQL from constant fragments; values are bound parameters
)


def create_tasks(conn: Connection, case_id: int, *, radius_m: float) -> int:
    """Tasks for the current round of a handled case: the supervisors' and every registered citizen's whose
    home is within ``radius_m`` (not the reporter; public cases only). Returns how many were new."""
    return int(conn.execute(_PUSH, {"case": case_id, "radius": float(radius_m)}).rowcount)

"""The traffic light of a case's stage clock, once for SQL: the function ``gy_light`` (migration 0007).

Green before ``stage_yellow_at`` (the point where 80 % of the stage limit is used, set by the workflow when the
clock starts), yellow up to and including ``stage_deadline``, red after it, no light without a stage clock; a
suspended case is judged at ``paused_since`` (its clock stopped there). Every read query that shows or filters
by a light calls the function through :func:`light_sql`; :func:`ops.workflow.light` is the Python mirror, held
to it by a parity test.
"""

from __future__ import annotations

LIGHTS = ("green", "yellow", "red")


def light_sql(case: str = "c", now: str = ":now") -> str:
    """The light of the case row ``case`` at the SQL expression ``now`` (a bound parameter by default)."""
    return f"gy_light({case}.stage_yellow_at, {case}.stage_deadline, {case}.paused_since, CAST({now} AS timestamptz))"

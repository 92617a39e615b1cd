"""The traffic light of a case's stage clock, once for SQL: the function ``gy_light`` (migration 0007); and the
two words the screens count with it, 在办 and 超期, each defined once here.

Green before ``stage_yellow_at`` (the point where 80 % of the stage limit is used, set by the workflow when the
clock starts), yellow up to and including ``stage_deadline``, red after it, no light without a stage clock; a
suspended case is judged at ``paused_since`` (its clock stopped there). Every read query that shows or filters
by a light calls the function through :func:`light_sql`; :func:`ops.workflow.light` is the Python mirror, held
to it by a parity test.

The words (the wall's tiles and legend, ``/stats``, the workbench's light filter and the drill-downs all use these
fragments; ``dashboard/strings/numbers.py`` says the same on screen):

- 在办 (open) :func:`open_sql`: a case in an open status (待受理, 已立案, 已派遣, 处置中, 已处置待核查, 挂账).
- 超期 (overdue) :func:`overdue_sql`: an open case whose **current stage's** deadline has passed, i.e. its light
  is red (a suspended case: passed before the suspension). The stage may be review, dispatch, handling or
  verification; a case at a department (:data:`db.vocabulary.AT_DEPARTMENT`) is in its handling stage, whose
  deadline is the case's handling deadline, so "超期 at a department" is "past the handling deadline".
"""

from __future__ import annotations

from db.vocabulary import OPEN_STATUSES, sql_list

LIGHTS = ("green", "yellow", "red")
#: :data:`db.vocabulary.OPEN_STATUSES` for SQL, in workflow order.
OPEN_SQL = sql_list(OPEN_STATUSES)


def light_sql(case: str = "c", now: str = ":now") -> str:
    """The light of the case row ``case`` at the SQL expression ``now`` (a bound parameter by default)."""
    return f"gy_light({case}.stage_yellow_at, {case}.stage_deadline, {case}.paused_since, CAST({now} AS timestamptz))"


def open_sql(case: str = "c") -> str:
    """在办: the case row ``case`` is open."""
    return f"{case}.status IN {OPEN_SQL}"


def overdue_sql(case: str = "c", now: str = ":now") -> str:
    """超期: the case row ``case`` is open and its current stage's light is red at ``now``."""
    return f"({open_sql(case)} AND {light_sql(case, now)} = 'red')"

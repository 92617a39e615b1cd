"""A case found by its ticket for a deep link (``/workbench?case=GY…``): where it is and whether the reader's
scope holds it, so the page can say which of "no such case" and "not in your district / department" applies."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from db.scope import RowScope


@dataclass(frozen=True)
class Located:
    """A case found by ticket; outside the reader's scope only ``ticket`` and ``visible=False``."""

    ticket: str
    #: Whether the reader's scope holds the case (only then may its card open).
    visible: bool
    id: int | None = None
    lat: float | None = None
    lon: float | None = None


def locate(conn: Connection, scope: RowScope, ticket: str) -> Located | None:
    """The case with ``ticket`` (exact, as :func:`db.queries.public_track.normalize_ticket` writes it), or
    ``None``. A case outside ``scope`` is returned with ``visible=False`` and nothing else of it."""
    row = conn.execute(
        text(
            "SELECT c.id, c.ticket, ST_Y(c.geom) AS lat, ST_X(c.geom) AS lon, "  # nosec B608 # SQL from constant fragments; values are bound parameters
            f'({scope.where("c")}) AS visible FROM "case" c WHERE c.ticket = :ticket'
        ),
        {**scope.params(), "ticket": ticket},
    ).first()
    if row is None:
        return None
    if not row.visible:
        return Located(str(row.ticket), False)
    return Located(str(row.ticket), True, int(row.id), float(row.lat), float(row.lon))

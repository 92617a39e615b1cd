"""What the generator reads from the database before drawing: catalog, responsibility, staff, grid, calendar."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, text

from db.calendar_repo import load_calendar
from demo.city.spots import DISTRICT_ZONE, ZONES
from demo.users import ensure_demo_users, simulator_account_id
from geo.calendar import Unit, WorkCalendar

UNITS: tuple[Unit, ...] = (Unit.NATURAL_HOURS, Unit.WORKING_HOURS, Unit.WORKING_DAYS)


@dataclass
class Reference:
    codes: list[str]  # active 小类 codes
    names: list[str]
    limit: npt.NDArray[np.float64]  # time_limit as float, per 小类
    unit: npt.NDArray[np.int64]  # index into UNITS
    urgent: npt.NDArray[np.bool_]
    public: npt.NDArray[np.bool_]
    radius: npt.NDArray[np.float64]
    departments: list[str]
    districts: list[str]  # grid districts, index = district code index
    suggested: npt.NDArray[np.int64]  # (小类, district) -> department index
    cells_id: npt.NDArray[np.int64]
    cells_i: npt.NDArray[np.int64]
    cells_j: npt.NDArray[np.int64]
    cells_zone: npt.NDArray[np.int64]
    simulator: int  # the simulator's account: the actor of every staff step in the seeded history
    calendar: WorkCalendar

    def department_median(self) -> npt.NDArray[np.float64]:
        """Each department's median handling time as a share of the limit: a stable trait of its code, so the
        same department is slow or fast in every demo city (0.2 to 0.8: from nearly always on time to about one
        case in three late), so /stats has departments to tell apart."""
        return np.array([0.2 + 0.6 * _trait(d, b"") for d in self.departments])

    def department_rework(self) -> npt.NDArray[np.float64]:
        """Each department's factor on the city's rework share (0.4 to 1.8): another stable trait of its code,
        independent of its speed, so a fast department can still be sloppy."""
        return np.array([0.4 + 1.4 * _trait(d, b"rework") for d in self.departments])


def _trait(code: str, salt: bytes) -> float:
    """A number in [0, 1) fixed by a department's code (and a salt per trait)."""
    return (zlib.crc32(salt + code.encode()) % 1000) / 1000


@dataclass
class Cells:
    """Every unit-grid cell (by id): its grid indices and its district's zone (an index of ``ZONES``)."""

    id: npt.NDArray[np.int64]
    i: npt.NDArray[np.int64]
    j: npt.NDArray[np.int64]
    zone: npt.NDArray[np.int64]


def load_cells(conn: Connection) -> Cells:
    """The cells reports are drawn over, for the bulk seed and the live simulator alike."""
    grid = conn.execute(
        text(
            "SELECT array_agg(id ORDER BY id), array_agg(i ORDER BY id), array_agg(j ORDER BY id), "
            "array_agg(district_code ORDER BY id) FROM grid_cell"
        )
    ).one()
    if not grid[0]:
        raise RuntimeError("no unit-grid cells: load the reference data first")
    codes_of_cells = np.array(grid[3])
    zones = np.zeros(len(codes_of_cells), dtype=np.int64)
    for d in np.unique(codes_of_cells):
        zones[codes_of_cells == d] = ZONES.index(DISTRICT_ZONE.get(str(d), "suburb"))
    return Cells(
        np.array(grid[0], dtype=np.int64),
        np.array(grid[1], dtype=np.int64),
        np.array(grid[2], dtype=np.int64),
        zones,
    )


def load_reference(conn: Connection) -> Reference:
    ensure_demo_users(conn)
    cats = conn.execute(
        text(
            "SELECT code, name_zh, time_limit, time_unit, urgent, public, duplicate_radius_m, "
            "default_department_code FROM category WHERE level = 2 AND active ORDER BY code"
        )
    ).all()
    if not cats:
        raise RuntimeError("no active 小类 in the catalog: load the reference data first")
    departments = [r[0] for r in conn.execute(text("SELECT code FROM department ORDER BY code"))]
    dep_index = {d: k for k, d in enumerate(departments)}
    districts = [r[0] for r in conn.execute(text("SELECT code FROM district WHERE has_grid ORDER BY code"))]
    resp = {
        (c, d): dep
        for c, d, dep in conn.execute(
            text("SELECT category_code, district_code, department_code FROM responsibility")
        )
    }
    codes = [c.code for c in cats]
    suggested = np.full((len(codes), len(districts)), -1, dtype=np.int64)
    for k, c in enumerate(cats):
        for m, d in enumerate(districts):
            dep = resp.get((c.code, d)) or resp.get((c.code, None)) or c.default_department_code
            if dep is not None:
                suggested[k, m] = dep_index[dep]
    cells = load_cells(conn)
    simulator = simulator_account_id(conn)
    if simulator is None:  # ensure_demo_users made it; a missing one is a broken database
        raise RuntimeError("the simulator's account is missing")
    return Reference(
        codes=codes,
        names=[c.name_zh for c in cats],
        limit=np.array([float(c.time_limit) for c in cats]),
        unit=np.array([UNITS.index(Unit(c.time_unit)) for c in cats], dtype=np.int64),
        urgent=np.array([bool(c.urgent) for c in cats]),
        public=np.array([bool(c.public) for c in cats]),
        radius=np.array([float(c.duplicate_radius_m) for c in cats]),
        departments=departments,
        districts=districts,
        suggested=suggested,
        cells_id=cells.id,
        cells_i=cells.i,
        cells_j=cells.j,
        cells_zone=cells.zone,
        simulator=simulator,
        calendar=load_calendar(conn),
    )

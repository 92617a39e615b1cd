"""The Open311 API's test helpers: report through it, read the rows it wrote, images, the media folder, and the
百姓拍 extensions (account, verification tasks and answers)."""

from __future__ import annotations

import io
from itertools import count
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import Connection, Engine, text

from ops import workflow as wf
from ops.states import Role
from ops.workflow import Actor

YUNYAN = (106.7135, 26.5838)  # 云岩区, inside a grid cell
BASE = "/open311/v2"


def public_read_paths(ticket: str) -> tuple[str, ...]:
    """Every public Open311 answer that shows one report (list and single, JSON and XML, by id)."""
    return (
        f"{BASE}/requests.json",
        f"{BASE}/requests.xml",
        f"{BASE}/requests/{ticket}.json",
        f"{BASE}/requests/{ticket}.xml",
        f"{BASE}/requests.json?service_request_id={ticket}",
    )


def report(client: httpx.Client, key: str, fmt: str = "json", **fields: Any) -> httpx.Response:
    data = {"api_key": key, "service_code": "C0102", "lat": YUNYAN[1], "long": YUNYAN[0], **fields}
    files = data.pop("files", None)
    headers = data.pop("headers", None)
    return client.post(f"{BASE}/requests.{fmt}", data=data, files=files, headers=headers)


def ticket_of(resp: httpx.Response) -> str:
    assert resp.status_code == 201, resp.text
    return str(resp.json()[0]["service_request_id"])


def case_row(engine: Engine, ticket: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            text('SELECT *, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM "case" WHERE ticket = :t'),
            {"t": ticket},
        ).one()


def cell_point(engine: Engine, ticket: str) -> tuple[float, float]:
    """(lon, lat) of the point on the surface of the case's grid cell: where the public sees it."""
    with engine.connect() as conn:
        lon, lat = conn.execute(
            text(
                "SELECT ST_X(ST_PointOnSurface(g.geom)), ST_Y(ST_PointOnSurface(g.geom)) "
                'FROM "case" c JOIN grid_cell g ON g.id = c.cell_id WHERE c.ticket = :t'
            ),
            {"t": ticket},
        ).one()
    return float(lon), float(lat)


def counts(engine: Engine) -> tuple[int, ...]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(
                text(
                    'SELECT (SELECT count(*) FROM "case"), (SELECT count(*) FROM photo), '
                    "(SELECT count(*) FROM case_intake), (SELECT count(*) FROM verification_task)"
                )
            ).one()
        )


def staff(conn: Connection, username: str = "lead") -> Actor:
    row = conn.execute(text("SELECT id FROM staff_user WHERE username = :u"), {"u": username}).one()
    return Actor(Role.LEAD, user_id=row.id)


def image(fmt: str = "JPEG", *, exif: bool = False, size: tuple[int, int] = (64, 48)) -> bytes:
    im = Image.new("RGB", size, (30, 120, 200))
    out = io.BytesIO()
    if exif:
        e = Image.Exif()
        e[0x010F] = "TestCam"
        e[0x0110] = "Model-GPS"
        e[0x8825] = {1: "N", 2: (26.0, 35.0, 1.0), 3: "E", 4: (106.0, 42.0, 48.0)}
        im.save(out, format=fmt, exif=e.tobytes())
    else:
        im.save(out, format=fmt)
    return out.getvalue()


def media_files(media: Path) -> set[Path]:
    return {p for p in media.rglob("*") if p.is_file()}


NEAR = (YUNYAN[0] + 0.001, YUNYAN[1] + 0.001)  # ~150 m from the reports
_n = count(1)


def account(
    client: httpx.Client, key: str, home: tuple[float, float] | None = NEAR, fmt: str = "json"
) -> str:
    acct = f"acct-api-{next(_n)}"
    data: dict[str, object] = {"api_key": key, "account_id": acct}
    if home is not None:
        data.update(home_long=home[0], home_lat=home[1])
    resp = client.post(f"{BASE}/account.{fmt}", data=data)
    assert resp.status_code == 200, resp.text
    return acct


def handled(engine: Engine, ticket: str) -> None:
    """The department reports the case handled (staff, through the workflow)."""
    with engine.begin() as conn:
        lead = staff(conn)
        case = case_row(engine, ticket)
        r = wf.file_case(conn, lead, case.id, case.version)
        r = wf.dispatch(conn, lead, r.id, r.version)
        wf.handle(conn, lead, r.id, r.version, note="已修复")


def tasks(client: httpx.Client, key: str, acct: str) -> list[dict[str, object]]:
    resp = client.get(f"{BASE}/verifications.json", params={"api_key": key, "account_id": acct})
    assert resp.status_code == 200, resp.text
    return list(resp.json())


def answer(
    client: httpx.Client,
    key: str,
    acct: str,
    task: object,
    result: str = "confirmed",
    fmt: str = "json",
    **extra: object,
) -> httpx.Response:
    files = extra.pop("files", [("media", ("now.jpg", image("JPEG"), "image/jpeg"))])
    data = {"api_key": key, "account_id": acct, "result": result, **extra}
    return client.post(f"{BASE}/verifications/{task}.{fmt}", data=data, files=files)  # type: ignore[arg-type]


def balance(client: httpx.Client, key: str, acct: str) -> dict[str, Any]:
    resp = client.get(f"{BASE}/points.json", params={"api_key": key, "account_id": acct})
    assert resp.status_code == 200, resp.text
    return dict(resp.json())

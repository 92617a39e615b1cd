"""What the public gets back of a report's free text and position.

A citizen posts a report through Open311 whose description and address carry a mobile number, a landline, a
resident ID number, a name after 联系人/我是 and an e-mail address; then anyone (no key) reads it back through
``GET requests.json`` and ``GET requests/{id}.json`` (JSON and XML). Counted: how many of those personal values
come back verbatim, and how many decimals the public position has compared with the public map's grid cell."""

from __future__ import annotations

import re
import time

import httpx
from sqlalchemy import text

from bench.trust import Finding
from bench.trust._stack import private_stack
from db.engine import make_engine
from ops.citizen.keys import create_key

YUNYAN = (106.7135123, 26.5838123)  # 7 decimals: the exact point a phone gives
SECRETS = {
    "mobile": "13985012345",
    "mobile spaced": "139 8501 2346",
    "landline": "0851-86123456",
    "resident ID": "52010319900307123X",
    "name": "王秘密",
    "e-mail": "wang.secret@example.cn",
}
DESCRIPTION = (
    f"井盖丢了，很危险。联系人：{SECRETS['name']}，电话 {SECRETS['mobile']} 或 {SECRETS['mobile spaced']}，"
    f"身份证 {SECRETS['resident ID']}，邮箱 {SECRETS['e-mail']}。"
)
ADDRESS = f"中华北路 12 号（座机 {SECRETS['landline']}）"


def _decimals(value: object) -> int:
    s = str(value)
    return len(s.split(".")[1]) if "." in s else 0


def measure() -> list[Finding]:
    with private_stack(reference=True) as stack:
        engine = make_engine(stack.url, pool_size=1)
        with engine.begin() as conn:
            key = create_key(conn, "trust")[1]
        c = httpx.Client(base_url=stack.base, timeout=30)
        posted = c.post(
            "/open311/v2/requests.json",
            data={
                "api_key": key,
                "service_code": "C0102",
                "lat": YUNYAN[1],
                "long": YUNYAN[0],
                "description": DESCRIPTION,
                "address_string": ADDRESS,
            },
        )
        ticket = posted.json()[0]["service_request_id"] if posted.status_code == 201 else None
        time.sleep(0.2)
        bodies = {
            path: c.get(path).text
            for path in (
                "/open311/v2/requests.json",
                "/open311/v2/requests.xml",
                f"/open311/v2/requests/{ticket}.json",
                f"/open311/v2/requests/{ticket}.xml",
            )
        }
        one = c.get(f"/open311/v2/requests/{ticket}.json").json()
        with engine.connect() as conn:
            cell = conn.execute(
                text(
                    "SELECT ST_X(ST_PointOnSurface(g.geom)), ST_Y(ST_PointOnSurface(g.geom)) "
                    'FROM "case" c JOIN grid_cell g ON g.id = c.cell_id WHERE c.ticket = :t'
                ),
                {"t": ticket},
            ).first()
        engine.dispose()
        c.close()
    found = {
        name: [p for p, body in bodies.items() if value in body or value.replace(" ", "") in body]
        for name, value in SECRETS.items()
    }
    leaked = sorted(n for n, paths in found.items() if paths)
    got = one[0] if isinstance(one, list) and one and isinstance(one[0], dict) else {}
    lat, lon = got.get("lat"), got.get("long")
    has_point = isinstance(lat, int | float) and isinstance(lon, int | float)
    y, x = (lat, lon) if isinstance(lat, int | float) and isinstance(lon, int | float) else (0.0, 0.0)
    on_cell = has_point and cell is not None and abs(y - cell[1]) < 1e-5 and abs(x - cell[0]) < 1e-5
    exact = has_point and abs(y - YUNYAN[1]) < 1e-7 and abs(x - YUNYAN[0]) < 1e-7
    description = re.sub(r"\s+", " ", str(got.get("description", "")))[:90]
    return [
        Finding(
            "report posted via Open311 with 6 personal values in description/address; GET as the public "
            "(requests.json/.xml, requests/{id}.json/.xml)",
            f"{len(leaked)} of {len(SECRETS)} values come back verbatim"
            + (f" ({', '.join(leaked)})" if leaked else "")
            + f"; description now reads: {description!r}",
            "0 of 6: masked before publishing",
            posted.status_code == 201 and not leaked,
        ),
        Finding(
            "public position of that report (posted with 7 decimals)",
            f"lat/long {lat}, {lon} ({_decimals(lat)} decimals); "
            + ("the exact point" if exact else "the grid cell's point" if on_cell else "another point"),
            "coarsened to the grid cell's point, as on the public map",
            on_cell and not exact,
        ),
    ]

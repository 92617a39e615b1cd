"""What anyone (no key) reads back through Open311 of a report whose free text carries personal data: the text
masked, the position coarsened to the grid cell; in every public answer, JSON and XML."""

from __future__ import annotations

import httpx
from sqlalchemy import Engine

from db.masking import MASK
from tests.support.api import BASE, case_row, cell_point, public_read_paths, report, ticket_of

SECRETS = (
    "13985012345",
    "139 8501 2346",
    "0851-86123456",
    "52010319900307123X",
    "王秘密",
    "wang.secret@example.cn",
)
POINT = (106.7135123, 26.5838123)


def test_personal_values_in_free_text_never_reach_a_public_answer(
    client: httpx.Client, api_key: str, api_engine: Engine
) -> None:
    description = f"井盖丢了。联系人：{SECRETS[4]}，电话 {SECRETS[0]} 或 {SECRETS[1]}，身份证 {SECRETS[3]}，邮箱 {SECRETS[5]}"
    ticket = ticket_of(
        report(
            client,
            api_key,
            long=POINT[0],
            lat=POINT[1],
            description=description,
            address_string=f"中华北路 12 号（座机 {SECRETS[2]}）",
        )
    )
    case = case_row(api_engine, ticket)
    assert case.description == description  # stored as written: staff need it
    for path in public_read_paths(ticket):
        body = client.get(path).text
        assert ticket in body, path
        for secret in SECRETS:
            assert secret not in body and secret.replace(" ", "") not in body, (path, secret)
        assert "5838123" not in body and "7135123" not in body, path  # not the true point
    got = client.get(f"{BASE}/requests/{ticket}.json").json()[0]
    assert got["description"].startswith("井盖丢了。联系人：" + MASK)
    assert got["address"] == f"中华北路 12 号（座机 {MASK}）"
    lon, lat = cell_point(api_engine, ticket)
    assert (got["long"], got["lat"]) == (round(lon, 5), round(lat, 5))

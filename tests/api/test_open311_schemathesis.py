"""Schemathesis against the app object in process (its ASGI transport), from /open311/v2/openapi.json: for every JSON operation, generated
valid (positive) and invalid (negative) requests never get a 5xx, and every answer matches the document
(status code, content type, body schema).

Free generation rarely finds data (a random ticket matches nothing), so the positive run also drives each
operation with known values (a real ticket with an approved photo, a 小类 with attributes, accounts with tasks
and points), seeded through the API first: the schema checks then see full answers. A valid API key is put into
the requests that take one, so generated data reaches past the key check (403 is covered by the other tests).

Schemathesis' own pytest integration (``from_fixture``/``parametrize``) does not run on pytest 9 (it reads a
removed private attribute), so each operation's Hypothesis strategy is driven here directly."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine, text

from ops import workflow as wf
from tests.support.api import BASE, YUNYAN, case_row, image, report, staff, ticket_of
from tests.support.app import OpenClient

pytestmark = pytest.mark.fuzz  # ~25 s of generated requests: the full lane

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = {GenerationMode.POSITIVE: 50, GenerationMode.NEGATIVE: 40}
KNOWN_EXAMPLES = 10


@pytest.fixture(scope="module")
def known(open_client: OpenClient, api_key: str, api_engine: Engine) -> dict[str, dict[str, Any]]:
    """Real data to ask about, per operation: fixed path parameters, query or body."""
    near = (YUNYAN[0] + 0.001, YUNYAN[1] + 0.001)
    with open_client() as client:
        for acct, home in (("st-reporter", YUNYAN), ("st-verifier", near)):
            data = {"api_key": api_key, "account_id": acct, "home_long": home[0], "home_lat": home[1]}
            assert client.post(f"{BASE}/account.json", data=data).status_code == 200
        photo = [("media", ("a.jpg", image("JPEG"), "image/jpeg"))]
        shown = ticket_of(
            report(client, api_key, account_id="st-reporter", address_string="中华北路", files=photo)
        )
        closed = ticket_of(report(client, api_key, account_id="st-reporter", lat=YUNYAN[1] + 0.0003))
        to_verify = ticket_of(report(client, api_key, lat=YUNYAN[1] + 0.0006))
        area = {
            "lat": YUNYAN[1],
            "long": YUNYAN[0],
            "radius": 300,
            "delivery_url": "https://hooks.example.cn/st",
        }
        sub = client.post(
            f"{BASE}/subscriptions.json", data={"api_key": api_key, "account_id": "st-verifier", **area}
        )
        assert sub.status_code == 201, sub.text
    with api_engine.begin() as conn:
        lead = staff(conn)
        conn.execute(
            text(
                'UPDATE photo SET approved = true FROM "case" c WHERE c.id = photo.case_id AND c.ticket = :t'
            ),
            {"t": shown},
        )
        for ticket in (shown, closed, to_verify):
            case = case_row(api_engine, ticket)
            r = wf.file_case(conn, lead, case.id, case.version)
            r = wf.dispatch(conn, lead, r.id, r.version)
            if ticket != shown:
                r = wf.handle(conn, lead, r.id, r.version, note="已处置")
            if ticket == closed:
                wf.verify(conn, lead, r.id, r.version, passed=True)  # pays the reporter: a points history
    reporter = {"api_key": api_key, "account_id": "st-reporter"}
    return {
        f"GET {BASE}/requests/{{service_request_id}}.json": {
            "path_parameters": {"service_request_id": shown}
        },
        f"GET {BASE}/requests.json": {"query": {"service_request_id": f"{shown},{closed},{to_verify}"}},
        f"GET {BASE}/services/{{service_code}}.json": {"path_parameters": {"service_code": "C0101"}},
        f"GET {BASE}/verifications.json": {"query": {"api_key": api_key, "account_id": "st-verifier"}},
        f"GET {BASE}/points.json": {"query": reporter},
        f"POST {BASE}/requests.json": {
            "body": {"api_key": api_key, "service_code": "C0102", "lat": YUNYAN[1], "long": YUNYAN[0]},
            "media_type": "application/x-www-form-urlencoded",
        },
        f"POST {BASE}/subscriptions.json": {
            "body": {**reporter, **area},
            "media_type": "application/x-www-form-urlencoded",
        },
        f"GET {BASE}/subscriptions.json": {"query": {"api_key": api_key, "account_id": "st-verifier"}},
        f"DELETE {BASE}/subscriptions/{{subscription_id}}.json": {
            "path_parameters": {"subscription_id": sub.json()["subscription_id"]},
            "query": {"api_key": api_key, "account_id": "st-verifier"},
        },
        f"POST {BASE}/feedback.json": {
            "body": {**reporter, "text": "很方便"},
            "media_type": "application/x-www-form-urlencoded",
        },
    }


@pytest.mark.parametrize(
    "mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"]
)
def test_open311_conforms_to_its_openapi_document(
    api_app: FastAPI, api_key: str, known: dict[str, dict[str, Any]], mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_asgi(f"{BASE}/openapi.json", api_app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    # the JSON operations, the citizen's feedback read (GET feedback.json) and area subscriptions included
    assert len(operations) == 15
    failures: list[str] = []
    seen: dict[str, set[int]] = {}
    runs: list[tuple[Any, dict[str, Any], int]] = [(op, {}, EXAMPLES[mode]) for op in operations]
    if mode is GenerationMode.POSITIVE:
        runs += [(op, known[op.label], KNOWN_EXAMPLES) for op in operations if op.label in known]
    for operation, fixed, examples in runs:

        @given(case=operation.as_strategy(generation_mode=mode, **fixed))
        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            for part in (case.body, case.query):
                if isinstance(part, dict) and "api_key" in part:
                    part["api_key"] = api_key
            response = case.call_and_validate(checks=CHECKS, timeout=60)
            seen.setdefault(case.operation.label, set()).add(response.status_code)

        try:
            run()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE and operation.path.endswith(
                "/discovery.json"
            )  # no parameters
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report them all
            failures.append(f"{operation.label} {fixed or ''}: {exc}")
    assert not failures, "\n\n".join(failures)
    if mode is GenerationMode.POSITIVE:  # the known data really produced full answers to check
        assert all(200 in seen[label] or 201 in seen[label] for label in known), seen
    else:
        assert all(codes & {400, 403, 404} for label, codes in seen.items()), seen

"""Every route that accepts a JSON or form body, sent bodies that are not what it takes: 400 in that route's
error format, never a 500 (the routes: the Dash callback endpoint, sign-in, and the Open311 POSTs). Sign-in
answers what its form is for: back to the form with "sign-in failed" (303), or 400 when the body cannot be read."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from bench.trust.errors import header_callback_body
from tests.support.api import BASE

FORM_ROUTES = [
    "/auth/login",
    f"{BASE}/requests.json",
    f"{BASE}/requests.xml",
    f"{BASE}/verifications/1.json",
    f"{BASE}/feedback.json",
    f"{BASE}/account.json",
]
#: (name, content type, body)
BAD_BODIES = [
    ("not JSON", "application/json", b"this is not json"),
    ("JSON list", "application/json", b"[1, 2, 3]"),
    ("JSON of another shape", "application/json", b'{"whatever": {"deep": [null]}}'),
    ("empty JSON", "application/json", b""),
    ("binary", "application/octet-stream", b"\xff\xfe\x00\x01garbage"),
    ("broken urlencoded", "application/x-www-form-urlencoded", b"%%%=&&=%zz"),
    ("empty form", "application/x-www-form-urlencoded", b""),
    ("multipart without boundary", "multipart/form-data", b"--x\r\nnot a part"),
    (
        "multipart cut off",
        "multipart/form-data; boundary=XyZ",
        b'--XyZ\r\nContent-Disposition: form-data; name="a"',
    ),
    ("no content type", "", b"lat=1&long=2"),
]


def _post(client: httpx.Client, path: str, ctype: str, body: bytes) -> httpx.Response:
    headers = {"Content-Type": ctype} if ctype else {}
    return client.post(path, content=body, headers=headers)


@pytest.mark.parametrize("path", FORM_ROUTES)
@pytest.mark.parametrize(("name", "ctype", "body"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_form_routes_answer_400(client: httpx.Client, path: str, name: str, ctype: str, body: bytes) -> None:
    r = _post(client, path, ctype, body)
    if (
        path == "/auth/login" and r.status_code == 303
    ):  # the sign-in form: back to it, saying it failed (or that it expired: no form token)
        assert r.headers["location"].startswith("/login?error="), r.headers  # failed, or the form expired
        return
    assert r.status_code == 400, (path, name, r.status_code, r.text[:300])
    if path.startswith(BASE) and path.endswith(".json"):
        assert isinstance(r.json(), list) and r.json()[0]["code"] == 400, r.text
    elif path.endswith(".xml"):
        assert b"<code>400</code>" in r.content
    else:  # sign-in is a page's form, not an API: a 400 is its whole answer
        assert r.headers["content-type"].startswith("application/json")


def _callback_variants(good: dict[str, Any]) -> list[tuple[str, str, bytes]]:
    def with_(**change: Any) -> bytes:
        body = {**good, **change}
        return json.dumps({k: v for k, v in body.items() if v is not ...}).encode()

    one_input = good["inputs"][:1]
    return [
        ("not JSON", "application/json", b"this is not json"),
        ("empty", "application/json", b""),
        ("JSON list", "application/json", b"[]"),
        ("JSON string", "application/json", b'"output"'),
        ("not sent as JSON", "text/plain", json.dumps(good).encode()),
        ("no output", "application/json", with_(output=...)),
        ("unknown callback", "application/json", with_(output="..nope.children..")),
        ("output not a string", "application/json", with_(output=["x"])),
        ("no outputs", "application/json", with_(outputs=...)),
        ("outputs a string", "application/json", with_(outputs="x")),
        ("no inputs", "application/json", with_(inputs=...)),
        ("inputs an object", "application/json", with_(inputs={"id": "x"})),
        ("too few inputs", "application/json", with_(inputs=one_input)),
        ("input without property", "application/json", with_(inputs=[{"id": "gy-url"}, {"id": "gy-lang"}])),
        ("input not an object", "application/json", with_(inputs=[1, 2])),
        ("state of another callback", "application/json", with_(state=[{"id": "a", "property": "b"}])),
        ("no changedPropIds", "application/json", with_(changedPropIds=...)),
        ("changedPropIds of numbers", "application/json", with_(changedPropIds=[1])),
    ]


def test_callback_bodies_answer_400(client: httpx.Client) -> None:
    good = header_callback_body(client)
    ok = client.post("/_dash-update-component", json=good)
    assert ok.status_code == 200, ok.text[:300]  # the guard lets a real callback through
    for name, ctype, body in _callback_variants(good):
        r = _post(client, "/_dash-update-component", ctype, body)
        assert r.status_code == 400, (name, r.status_code, r.text[:300])
        got = r.json()
        assert got["error"] == "bad_request" and "回调" in got["message"] and "callback" in got["message"], (
            name
        )

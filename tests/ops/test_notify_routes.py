"""Notification routes as data (ops.notify.routes) and the outbox as admins see it (ops.notify.outbox_admin),
against the real database: every refusal names its field and writes nothing; a route's URL is shown masked
everywhere (list, audit log, log lines, errors); removing twice says so; a failed message goes back to pending
with its attempts reset, recorded."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import Connection, text

from cli import parser
from db.errors import NotFound, ValidationError
from db.models.notify import NOTIFY_KINDS
from ops.notify import outbox_admin, routes
from ops.notify.secrets import mask_url, scrub
from tests.support.cases import new_case, staff_actors

TOKEN = "9f8e7d6c-5b4a-3210-fedc-ba9876543210"
PASSWORD = "Pa55-w0rd-secret"
WECOM = f"wecombot://{TOKEN}"
JSON_URL = f"json://hook-user:{PASSWORD}@127.0.0.1:8099/api/{TOKEN}?token={TOKEN}"
MAIL = f"mailtos://duty:{PASSWORD}@smtp.example.gov.cn?to=leads@example.gov.cn"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (WECOM, "wecombot://****"),
        (f"dingtalk://{TOKEN}/", "dingtalk://****"),
        (JSON_URL, "json://****@127.0.0.1:8099/****"),
        ("jsons://hooks.example.com", "jsons://hooks.example.com"),
        ("json://hooks.example.com/a", "json://hooks.example.com/****"),
        (MAIL, "mailtos://****@smtp.example.gov.cn/****"),
        ("not a url", "****"),
        ("json://[::1", "json://****"),
    ],
)
def test_mask_url_shows_scheme_and_host_only(url: str, shown: str) -> None:
    assert mask_url(url) == shown
    assert TOKEN not in mask_url(url) and PASSWORD not in mask_url(url)


def test_scrub_removes_every_secret_part() -> None:
    said = f"POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={TOKEN} failed; url {WECOM}"
    assert TOKEN not in scrub(said, WECOM)
    assert PASSWORD not in scrub(f"login {PASSWORD} refused for hook-user", JSON_URL)
    assert "hook-user" not in scrub(f"login {PASSWORD} refused for hook-user", JSON_URL)


def test_the_kinds_of_the_command_line_are_the_models() -> None:
    assert parser._NOTIFY_KINDS == NOTIFY_KINDS


def _count(conn: Connection, table: str) -> int:
    return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608 - fixed names


def test_add_list_remove(conn: Connection, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    audits = _count(conn, "audit_log")
    dept = routes.add_route(
        conn,
        department="CGJ",
        url=WECOM,
        kinds=["red", "dispatch", "red"],
        label=" 城管局值班群 ",
        actor="admin",
    )
    role = routes.add_route(conn, role="lead", url=JSON_URL, lang="en", actor="command line")
    listed = {r.id: r for r in routes.list_routes(conn)}
    d, r = listed[dept], listed[role]
    assert (d.department_code, d.role, d.masked_url, d.lang, d.kinds, d.label, d.created_by) == (
        "CGJ",
        None,
        "wecombot://****",
        "zh",
        ("dispatch", "red"),
        "城管局值班群",
        "admin",
    )
    assert d.target("zh") == "贵阳市城市管理局 (CGJ)"
    assert (r.role, r.target("en"), r.kinds, r.lang) == ("lead", "role:lead", None, "en")
    assert routes.route_url(conn, role) == JSON_URL  # the secret itself, for delivery only
    assert TOKEN not in repr(listed) and PASSWORD not in repr(listed)

    gone = routes.remove_route(conn, dept, "admin")
    assert gone.id == dept
    assert dept not in {x.id for x in routes.list_routes(conn)}
    removed_at = conn.execute(text("SELECT removed_at FROM notify_route WHERE id = :i"), {"i": dept}).scalar()
    assert removed_at is not None  # kept, only marked
    with pytest.raises(ValidationError) as twice:
        routes.remove_route(conn, dept, "admin")
    assert "已于" in twice.value.zh and "already removed" in twice.value.en
    with pytest.raises(NotFound):
        routes.remove_route(conn, 987654321, "admin")
    with pytest.raises(NotFound):
        routes.route_url(conn, dept)

    audit = conn.execute(
        text("SELECT kind, detail FROM audit_log WHERE kind = 'notify_route' ORDER BY id DESC LIMIT 3")
    ).all()
    assert [(a.detail["action"], a.detail["route"]) for a in audit] == [
        ("remove", dept),
        ("add", role),
        ("add", dept),
    ]
    assert _count(conn, "audit_log") == audits + 3
    # what reaches the application's log: caplog also listens on loggers that do not propagate, as apprise's
    # does not (ops.notify; tests/ops/notify/test_delivery.py checks the root log at DEBUG)
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("apprise"))
    everything = str([a.detail for a in audit]) + logged
    assert "wecombot://****" in everything
    assert TOKEN not in everything and PASSWORD not in everything


BAD: list[tuple[dict[str, Any], str, str]] = [
    ({"department": "CGJ", "role": "lead", "url": WECOM}, "target", "二选一"),
    ({"url": WECOM}, "target", "二选一"),
    ({"department": "NOPE", "url": WECOM}, "department", "没有代码为 NOPE 的部门"),
    ({"role": "citizen", "url": WECOM}, "role", "没有角色 citizen"),
    ({"role": "lead", "url": "https://example.com/hook"}, "url", "不支持的地址类型 https://"),
    ({"role": "lead", "url": "   "}, "url", "请填写通知地址"),
    ({"role": "lead", "url": "json://"}, "url", "无法识别"),
    ({"role": "lead", "url": "json://" + "a" * 2000}, "url", "地址太长"),
    ({"role": "lead", "url": WECOM, "kinds": ["red", "sms"]}, "kinds", "未知的消息类型：sms"),
    ({"role": "lead", "url": WECOM, "lang": "fr"}, "lang", "zh 或 en"),
    ({"role": "lead", "url": WECOM, "label": "x" * 81}, "label", "最多 80"),
]


@pytest.mark.parametrize(("kwargs", "field", "zh"), BAD)
def test_refusals_name_the_field_and_write_nothing(
    conn: Connection, kwargs: dict[str, Any], field: str, zh: str
) -> None:
    before = (_count(conn, "notify_route"), _count(conn, "audit_log"))
    with pytest.raises(ValidationError) as refused:
        routes.add_route(conn, actor="admin", **kwargs)
    assert refused.value.field == field
    assert zh in refused.value.zh and refused.value.en
    assert TOKEN not in refused.value.zh + refused.value.en + refused.value.detail
    assert (_count(conn, "notify_route"), _count(conn, "audit_log")) == before


def test_the_same_url_twice_for_one_target_is_refused(conn: Connection) -> None:
    first = routes.add_route(conn, role="lead", url=WECOM, actor="admin")
    with pytest.raises(ValidationError) as again:
        routes.add_route(conn, role="lead", url=f" {WECOM} ", actor="admin")
    assert again.value.field == "url" and f"#{first}" in again.value.zh
    routes.add_route(conn, role="dispatcher", url=WECOM, actor="admin")  # another target may share it


def _message(
    conn: Connection,
    route: int,
    status: str,
    *,
    case: int | None = None,
    error: str | None = None,
    attempts: int = 0,
    key: str,
) -> int:
    return int(
        conn.execute(
            text(
                "INSERT INTO notify_outbox (idem_key, route_id, kind, case_id, title, body, status, attempts, "
                "last_error) VALUES (:k, :r, 'dispatch', :c, 'title', 'body', :s, :a, :e) RETURNING id"
            ),
            {"k": key, "r": route, "c": case, "s": status, "a": attempts, "e": error},
        ).scalar_one()
    )


def test_outbox_counts_recent_and_resend(conn: Connection) -> None:
    case = new_case(conn, staff_actors(conn))
    ticket = conn.execute(text('SELECT ticket FROM "case" WHERE id = :i'), {"i": case.id}).scalar_one()
    before = outbox_admin.outbox_counts(conn)
    route = routes.add_route(conn, role="lead", url=WECOM, label="值班群", actor="admin")
    ok = _message(conn, route, "delivered", case=case.id, attempts=1, key="t:ok")
    failed = _message(
        conn,
        route,
        "failed",
        case=case.id,
        attempts=6,
        key="t:failed",
        error=f"POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={TOKEN}: 502 Bad Gateway",
    )
    waiting = _message(conn, route, "pending", attempts=2, key="t:pending")

    counts = outbox_admin.outbox_counts(conn)
    assert (
        counts.pending - before.pending,
        counts.delivered - before.delivered,
        counts.failed - before.failed,
    ) == (1, 1, 1)
    recent = {m.id: m for m in outbox_admin.recent_messages(conn)}
    assert {ok, failed, waiting} <= set(recent)
    shown = recent[failed]
    assert (shown.ticket, shown.route_label, shown.route_url, shown.attempts) == (
        ticket,
        "值班群",
        "wecombot://****",
        6,
    )
    assert (
        shown.last_error is not None
        and "502 Bad Gateway" in shown.last_error
        and TOKEN not in shown.last_error
    )
    only_failed = outbox_admin.recent_messages(conn, failed_only=True)
    assert failed in {m.id for m in only_failed} and all(m.status == "failed" for m in only_failed)

    outbox_admin.resend(conn, failed, "admin", actor_id=None)
    row = conn.execute(
        text(
            "SELECT status, attempts, last_error, next_attempt_at <= now() AS due FROM notify_outbox WHERE id = :i"
        ),
        {"i": failed},
    ).one()
    assert tuple(row) == ("pending", 0, None, True)
    audit = conn.execute(
        text("SELECT detail FROM audit_log WHERE kind = 'notify_resend' ORDER BY id DESC LIMIT 1")
    ).scalar_one()
    assert audit["outbox"] == failed and audit["attempts"] == 6 and TOKEN not in str(audit)

    with pytest.raises(ValidationError) as pending:
        outbox_admin.resend(conn, failed, "admin")
    assert "只有发送失败的消息" in pending.value.zh
    with pytest.raises(NotFound):
        outbox_admin.resend(conn, 98765432109, "admin")
    again = _message(conn, route, "failed", attempts=6, key="t:failed2", error="timed out")
    routes.remove_route(conn, route, "admin")
    with pytest.raises(ValidationError) as removed:
        outbox_admin.resend(conn, again, "admin")
    assert "已删除" in removed.value.zh

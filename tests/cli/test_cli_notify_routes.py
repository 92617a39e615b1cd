"""``guiyang-ops notify route add|list|remove`` and ``notify test``: routes added and removed through the command
(as the owner, like api-key), the list a table or JSON with URLs masked, refusals in one line with exit 2, and
a test message delivered to a real JSON webhook and a real SMTP server on localhost (exit 0) or not, to a closed
port (exit 1, saying why)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, text

from cli.main import main
from dashboard.settings import Settings
from db.engine import make_engine
from tests.support.db import as_app
from tests.support.http_receiver import closed_port, json_receiver

TOKEN = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
WECOM = f"wecombot://{TOKEN}"


@pytest.fixture(scope="module")
def engine(private_owner_db_url: str, settings: Settings) -> Iterator[Engine]:
    eng = make_engine(as_app(settings, private_owner_db_url), pool_size=2)
    yield eng
    eng.dispose()


def _listed(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    assert main(["notify", "route", "list", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert isinstance(out, list)
    return out


def test_add_list_remove(use_test_db: str, engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "notify",
                "route",
                "add",
                "--department",
                "CGJ",
                WECOM,
                "--kinds",
                "dispatch,red",
                "--label",
                "城管局值班群",
            ]
        )
        == 0
    )
    added = capsys.readouterr()
    assert "wecombot://****" in added.err and TOKEN not in added.out + added.err
    assert main(["notify", "route", "add", "--role", "lead", "json://127.0.0.1:9/hook", "--lang", "en"]) == 0
    capsys.readouterr()

    routes = _listed(capsys)
    mine = {r["target"]: r for r in routes}
    cgj = mine["贵阳市城市管理局 (CGJ)"]
    assert (cgj["department"], cgj["url"], cgj["kinds"], cgj["label"], cgj["lang"], cgj["created_by"]) == (
        "CGJ",
        "wecombot://****",
        ["dispatch", "red"],
        "城管局值班群",
        "zh",
        "command line",
    )
    lead = mine["role:lead"]
    assert (lead["role"], lead["url"], lead["lang"], lead["kinds"]) == (
        "lead",
        "json://127.0.0.1:9/****",
        "en",
        None,
    )

    assert main(["notify", "route", "list"]) == 0
    table = capsys.readouterr().out
    assert (
        "wecombot://****" in table and "城管局值班群" in table and "role:lead" in table and TOKEN not in table
    )

    assert main(["notify", "route", "remove", str(cgj["id"])]) == 0
    assert f"#{cgj['id']}" in capsys.readouterr().err
    assert [r["id"] for r in _listed(capsys)] == [lead["id"]]
    assert main(["notify", "route", "remove", str(cgj["id"])]) == 2
    twice = capsys.readouterr().err
    assert f"通知路由 #{cgj['id']} 已于" in twice and len(twice.strip().splitlines()) == 1

    with engine.connect() as conn:
        url = conn.execute(text("SELECT url FROM notify_route WHERE id = :i"), {"i": cgj["id"]}).scalar_one()
        actions = (
            conn.execute(
                text("SELECT detail->>'action' FROM audit_log WHERE kind = 'notify_route' ORDER BY id")
            )
            .scalars()
            .all()
        )
    assert url == WECOM  # stored whole: delivery needs it
    assert actions == ["add", "add", "remove"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--department", "NOPE", WECOM], "没有代码为 NOPE 的部门"),
        (["--role", "lead", "https://example.com/hook"], "不支持的地址类型 https://"),
        (["--role", "lead", WECOM, "--kinds", "dispatch,sms"], "未知的消息类型：sms"),
    ],
)
def test_refusals_are_one_line(
    use_test_db: str, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    assert main(["notify", "route", "add", *args]) == 2
    err = capsys.readouterr().err
    assert said in err and TOKEN not in err


def test_a_target_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["notify", "route", "add", WECOM])
    assert refused.value.code == 2
    assert "--department" in capsys.readouterr().err


def test_notify_test_delivers_to_a_local_webhook(capsys: pytest.CaptureFixture[str]) -> None:
    with json_receiver() as receiver:
        assert main(["notify", "test", receiver.url("hooks/SECRET-PATH-123"), "--lang", "en"]) == 0
        got = receiver.wait_for(1)
    out = capsys.readouterr()
    assert "delivered" in out.err and "SECRET-PATH-123" not in out.out + out.err
    assert len(got) == 1 and got[0]["title"] == "Guiyang city management: test message"
    assert "test message" in got[0]["message"]
    assert receiver.paths == ["/hooks/SECRET-PATH-123"]


def test_notify_test_to_a_closed_port_fails_and_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    port = closed_port()
    assert main(["notify", "test", f"json://127.0.0.1:{port}/hooks/SECRET-PATH-123", "--timeout", "3"]) == 1
    err = capsys.readouterr().err
    assert "未送达 / not delivered" in err and "Connection error" in err
    assert f"json://127.0.0.1:{port}/****" in err and "SECRET-PATH-123" not in err


def test_notify_test_refuses_a_url_we_do_not_take(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notify", "test", "slack://T000/B000/XXX"]) == 2
    assert "不支持的地址类型 slack://" in capsys.readouterr().err


class Mailbox:
    def __init__(self) -> None:
        self.mails: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.mails.append(envelope)
        return "250 OK"


def test_notify_test_sends_an_email_to_a_local_smtp_server(capsys: pytest.CaptureFixture[str]) -> None:
    box, port = Mailbox(), closed_port()
    smtp = Controller(box, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        url = f"mailto://127.0.0.1:{port}?from=ops@example.gov.cn&to=duty@example.gov.cn"
        assert main(["notify", "test", url]) == 0
    finally:
        smtp.stop()
    assert "测试消息已送达" in capsys.readouterr().err
    assert len(box.mails) == 1 and box.mails[0].rcpt_tos == ["duty@example.gov.cn"]
    mail = message_from_bytes(box.mails[0].content)
    assert str(make_header(decode_header(mail["Subject"]))) == "贵阳城市管理：测试消息"

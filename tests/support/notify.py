"""Real receivers on localhost for the notification tests: a JSON webhook (a threading ``http.server``) and an
SMTP server (``aiosmtpd``), each on a port of its own, that keep what they receive; and routes as rows."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import Connection, text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class JsonReceiver:
    """A JSON webhook on ``port`` (a free one by default): ``received`` holds each POSTed JSON body with its
    path; ``status`` is the answer it gives (200, or e.g. 500 to refuse); ``delay`` slows each answer."""

    def __init__(self, port: int | None = None, status: int = 200, delay: float = 0.0) -> None:
        self.port = port or free_port()
        self.status = status
        self.delay = delay
        self.received: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def url(self, path: str = "hook") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def start(self) -> JsonReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                data = json.loads(self.rfile.read(length).decode("utf-8"))
                if receiver.delay:
                    threading.Event().wait(receiver.delay)
                if receiver.status == 200:
                    with receiver.lock:
                        receiver.received.append({"path": self.path, **data})
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> JsonReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SmtpReceiver:
    """A plain SMTP server (no TLS) that accepts any login: ``messages`` holds each received e-mail."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[email.message.EmailMessage] = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
                receiver.messages.append(msg)
                return "250 OK"

        self.controller = Controller(
            Handler(),
            hostname="127.0.0.1",
            port=self.port,
            auth_require_tls=False,
            auth_callback=lambda *a: True,
        )

    def url(self, to: str = "cgj@example.cn") -> str:
        return f"mailto://notify:secret-pw@127.0.0.1:{self.port}?from=ops@example.cn&to={to}&mode=insecure"

    def __enter__(self) -> SmtpReceiver:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def text_of(msg: email.message.EmailMessage) -> str:
    """Subject and plain-text body of a received e-mail, decoded."""
    part = msg.get_body(preferencelist=("plain", "html"))
    body = part.get_content() if part is not None else ""
    return f"{msg['Subject']}\n{body}"


def add_route(
    conn: Connection,
    url: str,
    *,
    department: str | None = None,
    role: str | None = None,
    lang: str = "zh",
    kinds: list[str] | None = None,
    enabled: bool = True,
    created_at: str | None = None,
) -> int:
    """A ``notify_route`` row (the routes' own commands are not what these tests are about)."""
    return int(
        conn.execute(
            text(
                "INSERT INTO notify_route (department_code, role, url, lang, kinds, enabled, created_at)"
                " VALUES (:d, :r, :u, :l, :k, :e, COALESCE(CAST(:c AS timestamptz), now())) RETURNING id"
            ),
            {"d": department, "r": role, "u": url, "l": lang, "k": kinds, "e": enabled, "c": created_at},
        ).scalar_one()
    )


def outbox(conn: Connection) -> list[Any]:
    return list(conn.execute(text("SELECT * FROM notify_outbox ORDER BY id")).all())

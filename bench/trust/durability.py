"""Acknowledged means durable, measured with a crash: PostgreSQL is killed (SIGKILL of the postmaster) while the
real app takes Open311 reports at ~50 a second, then restarted; every report answered 201 with a ticket must
still be there, and no client retry (same ``Idempotency-Key``) may have made a second case.

Everything runs on a **private cluster** (a :class:`~db.cluster.LocalCluster` in a temporary folder, its own
socket), loaded from a dump of a database that has the schema and reference data, never on the shared one.
``measure()`` (``make trust``) builds that database from the migrations in the private cluster itself;
``tests/db/test_crash.py`` restores the test template's dump, which is quicker.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import text

from bench.app_process import AppProcess
from bench.trust import Finding
from bench.trust.crash_wall import WallReport, WallWatcher
from db.cluster import LocalCluster
from db.engine import make_engine

YUNYAN = (106.7135, 26.5838)  # 云岩区, inside a grid cell
CRASH_DB = "crash"


@dataclass
class CrashResult:
    acknowledged: int = 0  # keys answered 201 with a ticket
    lost: int = 0  # acknowledged tickets missing after the restart
    duplicated: int = 0  # cases beyond one per Idempotency-Key
    changed_ticket: int = 0  # a retry answered with another ticket than the first answer
    unanswered: int = 0  # keys that never got a 201 (gave up at the deadline)
    retries: int = 0
    cases: int = 0
    seconds: float = 0.0
    healthz_s: float | None = None  # from the database accepting connections again to the first /healthz 200
    app_survived: bool = False  # the same app process served before, during and after the crash
    last_ticket: str = ""  # the report acknowledged last
    last_ack: float = 0.0  # when (time.monotonic())
    wall: WallReport | None = None  # the wall screen open during the crash (crash_run(wall=True))
    tickets: dict[str, str] = field(default_factory=dict, repr=False)

    def counts(self) -> str:
        """One line with every count, for the test output and ``make trust``."""
        w = self.wall
        wall = (
            f", wall showed the last ticket {w.shown_s:.1f} s after its acknowledgement"
            if w and w.shown_s is not None
            else (", wall never showed the last ticket" if w else "")
        )
        if w:
            wall += (
                f" (push only; indicator {'→'.join(w.conn)}, browser streams opened {w.streams_opened}, dropped "
                f"{w.stream_errors}; {len(w.page_errors)} page errors, {len(w.console_errors)} console errors)"
            )
        healthz = f"{self.healthz_s:.1f} s" if self.healthz_s is not None else "never"
        return (
            f"acknowledged {self.acknowledged}, lost {self.lost}, duplicated {self.duplicated}, retries "
            f"{self.retries}, unanswered {self.unanswered}, /healthz 200 {healthz} after the database was back "
            f"(app {'not restarted' if self.app_survived else 'DIED'}){wall}"
        )


@contextmanager
def private_cluster(prefix: str = "guiyang-crash-") -> Iterator[LocalCluster]:
    """A cluster of its own in a fresh folder under /tmp (searchable by the server's OS user), removed after."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    base.chmod(0o711)
    cluster = LocalCluster(base / "pg", port=56000 + os.getpid() % 1000)
    try:
        cluster.up()
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(base, ignore_errors=True)


def restore(cluster: LocalCluster, dump: Path, dbname: str = CRASH_DB) -> None:
    """``dbname`` in ``cluster`` from a pg_dump custom-format file (owners and grants kept: same role names)."""
    cluster.ensure_database(dbname)
    env = {**os.environ, "PGPASSFILE": str(cluster.passfile(cluster.superuser))}
    res = subprocess.run(
        ["pg_restore", "-h", str(cluster.socket_dir.resolve()), "-p", str(cluster.port)]
        + ["-U", cluster.superuser, "-d", dbname, "--no-comments", "-j", "2", str(dump)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if res.returncode != 0:
        raise RuntimeError(f"pg_restore failed: {res.stderr[-2000:]}")


def dump(url_host: str, port: int, passfile: Path, user: str, dbname: str, out: Path) -> None:
    env = {**os.environ, "PGPASSFILE": str(passfile)}
    subprocess.run(
        ["pg_dump", "-h", url_host, "-p", str(port), "-U", user, "-Fc", "-Z1", "-d", dbname, "-f", str(out)],
        check=True,
        env=env,
        capture_output=True,
    )


class App(AppProcess):
    """The real app (uvicorn) on ``url``, started at once; ``pythonpath`` runs another checkout's code (for a
    before figure)."""

    def __init__(self, url: str, media: Path, pythonpath: str | None = None) -> None:
        env = {
            "DATABASE_URL": url,
            "GUIYANG_DEMO_MODE": "1",
            "GUIYANG_SECRET_KEY": "crash-test-secret-" + "z" * 32,
            "GUIYANG_MEDIA_DIR": str(media),
            "GUIYANG_LOG_LEVEL": "ERROR",
        }
        if pythonpath:
            env["PYTHONPATH"] = pythonpath
        super().__init__(env, log_level="critical", stdout=subprocess.DEVNULL, cwd=pythonpath or None)
        self.start(120)  # a loaded machine (CI on 2 cores) may need more than a minute


def kill_postmaster(cluster: LocalCluster) -> int:
    """SIGKILL the postmaster (as a power cut or OOM kill would end it); returns its pid."""
    pid = int((cluster.data_dir / "postmaster.pid").read_text().splitlines()[0])
    os.kill(pid, signal.SIGKILL)
    return pid


def _alive(pid: int) -> bool:
    """A live process (a zombie, dead but not yet reaped by its parent, does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


def restart(cluster: LocalCluster, pid: int, timeout_s: float = 30.0) -> None:
    """Start again after the kill (crash recovery). Once the killed postmaster is gone (or a zombie not yet
    reaped, which would make its lock file look held), its stale lock file is removed, as after a power cut."""
    deadline = time.monotonic() + timeout_s
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    lock = cluster.data_dir / "postmaster.pid"
    if lock.exists() and lock.read_text().splitlines()[0].strip() == str(pid):
        lock.unlink()
    while True:
        try:
            cluster.start()  # orphaned backends may hold the shared memory a moment longer
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _intake(
    base: str,
    key: str,
    stop_new: threading.Event,
    result: CrashResult,
    lock: threading.Lock,
    rate: float,
    clients: int,
    give_up_at: float,
) -> None:
    """One client: new reports at ``rate / clients`` a second until ``stop_new``; each retried with its key
    until it is answered 201 (or ``give_up_at``)."""
    data = {"api_key": key, "service_code": "C0102", "lat": str(YUNYAN[1]), "long": str(YUNYAN[0])}
    with httpx.Client(base_url=base, timeout=10) as client:
        while not stop_new.is_set():
            started = time.monotonic()
            idem = uuid.uuid4().hex
            first = True
            while time.monotonic() < give_up_at:
                try:
                    r = client.post(
                        "/open311/v2/requests.json",
                        data={**data, "description": f"crash {idem}"},
                        headers={"Idempotency-Key": idem},
                    )
                    if r.status_code == 201:
                        ticket = str(r.json()[0]["service_request_id"])
                        with lock:
                            old = result.tickets.setdefault(idem, ticket)
                            result.changed_ticket += old != ticket
                            result.last_ack, result.last_ticket = time.monotonic(), ticket
                        break
                except httpx.HTTPError:
                    pass
                with lock:
                    result.retries += 0 if first else 1
                first = False
                time.sleep(0.2)
            else:
                with lock:
                    result.unanswered += 1
            time.sleep(max(0.0, clients / rate - (time.monotonic() - started)))


def healthz_after(
    base: str, since: float, pause: Callable[[float], None], timeout_s: float = 30.0
) -> float | None:
    """Seconds from ``since`` (``time.monotonic()``) to the first ``/healthz`` 200, asked every 0.1 s; None if none
    came within ``timeout_s``."""
    with httpx.Client(base_url=base, timeout=5) as client:
        while time.monotonic() - since < timeout_s:
            try:
                if client.get("/healthz").status_code == 200:
                    return time.monotonic() - since
            except httpx.HTTPError:
                pass
            pause(0.1)
    return None


def crash_run(
    cluster: LocalCluster,
    *,
    app_url: str,
    media: Path,
    rate: float = 50.0,
    clients: int = 8,
    before_kill_s: float = 2.0,
    after_restart_s: float = 1.0,
    pythonpath: str | None = None,
    wall: bool = False,
    wall_timeout_s: float = 30.0,
    min_acknowledged: int = 0,
) -> CrashResult:
    """Intake into ``cluster``'s crash database at ``rate`` reports a second, SIGKILL of the postmaster after
    ``before_kill_s``, restart, ``/healthz`` asked until it answers 200 again (the same app process),
    ``after_restart_s`` more, then every acknowledged ticket is looked up. With ``wall``: a shift lead's /wall
    (push only) is open in Chromium from before the kill until its ticker shows the last acknowledged ticket.
    ``min_acknowledged``: the intake goes on after ``after_restart_s`` until that many reports were acknowledged
    (at most 20 s more: a loaded machine answers fewer a second)."""
    from ops.citizen.keys import create_key

    owner = make_engine(cluster.url(CRASH_DB, cluster.owner), pool_size=1)
    with owner.begin() as c:
        key = create_key(c, "crash test")[1]
    owner.dispose()
    result = CrashResult()
    lock = threading.Lock()
    stop_new = threading.Event()
    with ExitStack() as stack:
        watcher = stack.enter_context(WallWatcher()) if wall else None
        app = App(app_url, media, pythonpath)
        stack.callback(app.stop)
        stack.callback(stop_new.set)  # on a failure too: the clients stop sending
        pause = watcher.wait if watcher else time.sleep
        if watcher:
            watcher.open(app.base)
        t0 = time.monotonic()
        give_up = t0 + before_kill_s + after_restart_s + 60
        threads = [
            threading.Thread(
                target=_intake, args=(app.base, key, stop_new, result, lock, rate, clients, give_up)
            )
            for _ in range(clients)
        ]
        for t in threads:
            t.start()
        pause(before_kill_s)
        restart(cluster, kill_postmaster(cluster))  # returns once the database accepts connections again
        back = time.monotonic()
        result.healthz_s = healthz_after(app.base, back, pause)
        pause(max(0.0, after_restart_s - (time.monotonic() - back)))
        more = time.monotonic() + 20
        while len(result.tickets) < min_acknowledged and time.monotonic() < more:
            pause(0.2)
        stop_new.set()
        for t in threads:
            t.join()
        result.app_survived = app.running()
        if watcher:
            result.wall = watcher.until_shows(result.last_ticket, result.last_ack, wall_timeout_s)
        result.seconds = time.monotonic() - t0
    engine = make_engine(cluster.url(CRASH_DB, cluster.owner), pool_size=1)
    try:
        with engine.connect() as c:
            found = set(
                c.execute(
                    text('SELECT ticket FROM "case" WHERE ticket = ANY(:t)'),
                    {"t": list(result.tickets.values())},
                ).scalars()
            )
            result.cases = int(c.execute(text("SELECT count(*) FROM case_intake")).scalar_one())
            keys = int(c.execute(text("SELECT count(*) FROM idempotency_key")).scalar_one())
    finally:
        engine.dispose()
    result.acknowledged = len(result.tickets)
    result.lost = len(set(result.tickets.values()) - found)
    result.duplicated = max(0, result.cases - keys)
    return result


def server_synchronous_commit(cluster: LocalCluster) -> str:
    """The cluster's own setting (as a fresh superuser session sees it, without the app's connection options)."""
    return cluster._psql("SHOW synchronous_commit")


def measure() -> list[Finding]:
    from db import migrate
    from db.seed.reference import load_reference
    from demo.users import ensure_demo_users

    started = time.perf_counter()
    with private_cluster() as cluster:
        cluster.ensure_database(CRASH_DB)
        owner_url = cluster.url(CRASH_DB, cluster.owner)
        migrate.upgrade(owner_url, app_role=cluster.app)
        engine = make_engine(owner_url, pool_size=1)
        with engine.begin() as c:
            load_reference(c)
            ensure_demo_users(c)  # the shift lead whose wall watches the crash
        engine.dispose()
        media = cluster.root.parent / "media"
        media.mkdir()
        r = crash_run(
            cluster,
            app_url=cluster.url(CRASH_DB, cluster.app),
            media=media,
            before_kill_s=5,
            after_restart_s=2,
            wall=True,
        )
        server = server_synchronous_commit(cluster)
    took = f"{time.perf_counter() - started:.0f} s in all"
    print("crash:", r.counts(), flush=True)
    wall = r.wall or WallReport()
    return [
        Finding(
            "reports answered 201 (SIGKILL of PostgreSQL at ~50/s)",
            f"{r.acknowledged}",
            "> 0",
            r.acknowledged > 0,
        ),
        Finding("acknowledged reports lost after the restart", f"{r.lost} ({took})", "0", r.lost == 0),
        Finding(
            "duplicate cases from Idempotency-Key retries",
            f"{r.duplicated} ({r.retries} retries, {r.changed_ticket} changed tickets)",
            "0",
            r.duplicated == 0 and r.changed_ticket == 0,
        ),
        Finding("reports never answered 201 after the restart", f"{r.unanswered}", "0", r.unanswered == 0),
        Finding(
            "seconds from PostgreSQL accepting connections again to /healthz 200 (app not restarted)",
            "never"
            if r.healthz_s is None
            else f"{r.healthz_s:.1f}" + ("" if r.app_survived else " (app died)"),
            "≤ 10",
            r.healthz_s is not None and r.healthz_s <= 10 and r.app_survived,
        ),
        Finding(
            "seconds from the last acknowledged report to its ticket on a /wall open during the crash",
            "never" if wall.shown_s is None else f"{wall.shown_s:.1f} (connection {'→'.join(wall.conn)})",
            "≤ 10",
            wall.shown_s is not None and wall.shown_s <= 10,
        ),
        Finding("page errors on that /wall", f"{len(wall.page_errors)}", "0", not wall.page_errors),
        Finding("cluster's synchronous_commit", server, "on", server == "on"),
    ]

"""The app object: everything one running app holds (settings, engine, caches, push hub, rate limiters, the
working-calendar source), built by ``dashboard.app.create_server`` and passed explicitly.

``create_server`` keeps it on the server (``server.state.ops``) and binds it to every request it serves
(:class:`Bind`), so API routes (``request.app.state.ops``) and Dash callbacks, which run inside the request, reach
it through :func:`services`; work started outside a request (a background thread) is handed the object. Nothing
here is a process global: two servers in one process each have their own.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import Context, ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio.to_thread
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Receive, Scope, Send

from dashboard.answer_cache import AnswerCache
from dashboard.api.open311_settings import Open311Settings, get_open311_settings
from dashboard.delta_cache import DeltaCache
from dashboard.feeds import Feed, Personal, Step
from dashboard.push import PushHub, conninfo_from_sqlalchemy
from dashboard.ratelimit import ALLOWED, ClientLimiter, Decision, client_key, parse_networks
from dashboard.settings import Settings
from db import rate_limit
from db.accounts import StaffIdentity
from db.cache import Cache
from db.cache_bust import announce
from db.calendar_repo import OPTION, WorkCalendars
from db.queries.grid_geometry import FeatureCache
from db.queries.grid_index import HeatIndex
from db.read_route import ReadRoute
from geo.bbox import BBox

T = TypeVar("T")

#: How long a process trusts what it read about a user. Logout invalidates its own process at once; other
#: worker processes see a revoked session after at most this long.
IDENTITY_SECONDS = 1.0
#: Reference data (districts, categories, departments; the districts officers' maps open on) is read at most
#: this often.
REFERENCE_SECONDS = 300.0
#: Hot-spot results (/analysis 热点区域 and the case card's line) are kept this long, by scope and filters.
HOTSPOT_SECONDS = 300.0
#: Photo-marker icons kept (the oldest made goes first).
ICONS = 2000
#: Shared rate limits: every this many requests a process deletes the buckets that are full again.
PURGE_EVERY = 500
#: How long an /analysis result (e.g. the 多发地点 of 30 days) is served again to the same scope and filters.
ANALYSIS_SECONDS = 60.0


@dataclass(eq=False)
class Caches:
    """The app's caches, each with its policy (:class:`db.cache.Cache`: TTL, size)."""

    #: user id → (identity, session version) or None, see :func:`dashboard.auth.current_user`
    identities: Cache[int, tuple[StaffIdentity, int, bool] | None] = field(
        default_factory=lambda: Cache(ttl=IDENTITY_SECONDS)
    )
    #: the identity reads under way, by user id: the event loop's callers of one user wait for one read (a
    #: single flight only: ``identities`` keeps the answers, this one keeps at most the last)
    identity_reads: DeltaCache[tuple[StaffIdentity, int, bool] | None] = field(
        default_factory=lambda: DeltaCache(max_entries=1)
    )
    #: the workbench's reference data by name
    reference: Cache[str, Any] = field(default_factory=lambda: Cache(ttl=REFERENCE_SECONDS))
    #: the area an officer's workbench map opens on, by district (districts do not move)
    district_bounds: Cache[str, BBox | None] = field(default_factory=lambda: Cache(ttl=REFERENCE_SECONDS))
    #: the wall's panels shared by every screen (one read at a time each): name → value, stamped with the
    #: doorbell it was read for; the age allowed is the caller's
    wall: DeltaCache[Any] = field(default_factory=lambda: DeltaCache(max_entries=16, ttl=600.0))
    #: hot-spot results (ops.analysis.hotspots) by (scope, filters, level), and the grid they are computed on
    hotspots: Cache[tuple[Any, ...], Any] = field(
        default_factory=lambda: Cache(ttl=HOTSPOT_SECONDS, max_size=64)
    )
    #: photo-marker icons (JPEG bytes) by photo sha
    icons: Cache[str, bytes] = field(default_factory=lambda: Cache(max_size=ICONS))
    #: /analysis results by (analysis, scope, filters, parameters): a period's analysis is computed at most once a
    #: minute for the same question (the tab's map, table and CSV export ask the same)
    analysis: Cache[tuple[Any, ...], Any] = field(
        default_factory=lambda: Cache(ttl=ANALYSIS_SECONDS, max_size=256)
    )
    #: the public answers (single flight, stale-while-revalidate), cleared by moderation
    public: AnswerCache = field(default_factory=AnswerCache)
    #: the catch-ups after a doorbell by (screen, scope, cursor): one query per event batch and scope for every
    #: open screen of the process (:mod:`dashboard.delta_cache`)
    deltas: DeltaCache[Any] = field(default_factory=DeltaCache)


@dataclass(eq=False)
class Services:
    """The app object."""

    settings: Settings
    engine: Engine
    #: the Open311 API's settings (``GUIYANG_OPEN311_*``: photo size, verification radius, ...), read once
    open311: Open311Settings = field(default_factory=get_open311_settings)
    caches: Caches = field(default_factory=Caches)
    #: ticket lookups per client, the public page and /public/v1/track together
    track_limit: ClientLimiter = field(init=False)
    #: the wall's heatmap read model and its geometry cache
    heat: HeatIndex = field(default_factory=HeatIndex)
    features: FeatureCache = field(default_factory=FeatureCache)
    #: held while the heat index is built in the background (one build at a time)
    warming: threading.Lock = field(default_factory=threading.Lock)
    #: viewports cut from the public report snapshot at the same time (each holds the GIL a few milliseconds)
    rendering: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(2))
    #: where the reads of read-only screens go (a read replica while it is up and close behind); None: primary
    reads: ReadRoute | None = None
    _hub: PushHub | None = field(default=None, init=False)
    _feeds: dict[Hashable, Feed] = field(default_factory=dict, init=False)
    _busts: set[asyncio.Task[None]] = field(default_factory=set, init=False)
    _limit_hits: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.track_limit = ClientLimiter(
            self.settings.public_track_per_minute,
            self.settings.public_track_burst,
            parse_networks(self.settings.trusted_proxies),
        )

    @property
    def calendars(self) -> WorkCalendars:
        """The working-calendar source (the settings' working periods), carried by the engine."""
        found = self.engine.get_execution_options().get(OPTION)
        assert isinstance(found, WorkCalendars)  # nosec B101 # make_engine attaches it; narrowing for mypy
        return found

    def push_hub(self) -> PushHub:
        """The process's listener (doorbells and cache invalidations), made on first use (started and stopped by
        the server's lifespan)."""
        if self._hub is None:
            url = self.engine.url.render_as_string(hide_password=False)
            self._hub = PushHub(conninfo_from_sqlalchemy(url), on_bust=self.clear_cache)
        return self._hub

    def feed(
        self, key: Hashable, step: Step, start: Callable[[], Awaitable[str]], personal: Personal | None = None
    ) -> Feed:
        """The process's feed ``key`` (one catch-up per doorbell for every stream of a kind and scope,
        :mod:`dashboard.feeds`), made on first use with ``step``, ``start`` and ``personal``, stopped with the
        app."""
        found = self._feeds.get(key)
        if found is None:
            context = Context()  # the feed reads through this app, and knows of no request
            context.run(_current.set, self)
            found = self._feeds[key] = Feed(self.push_hub(), step, start, personal, context)
        return found

    def feeds(self) -> dict[Hashable, Feed]:
        """The process's feeds by key."""
        return dict(self._feeds)

    def clear_cache(self, name: str) -> None:
        """Forget what this process cached under ``name`` (:mod:`db.cache_bust`'s names)."""
        kind, _, arg = name.partition(":")
        every = kind == "*"
        if every or kind == "public":
            self.caches.public.clear()
        if every or kind == "reference":
            self.caches.reference.clear()
            self.caches.district_bounds.clear()
        if every or kind == "wall":
            self.caches.wall.clear()
        if every:
            self.caches.identities.clear()
        elif kind == "identity" and arg.isdigit():
            self.caches.identities.pop(int(arg))

    async def bust(self, name: str) -> None:
        """``name`` is stale after a write: cleared here at once, and in every worker process through
        PostgreSQL (``cache_bust``, :mod:`db.cache_bust`)."""
        self.clear_cache(name)
        await anyio.to_thread.run_sync(self.write, lambda c: announce(c, name))

    def bust_soon(self, name: str) -> None:
        """:meth:`bust` from synchronous code: cleared here at once; the other processes are told from a task
        (inside the event loop) or now (in a worker thread)."""
        self.clear_cache(name)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.write(lambda c: announce(c, name))
            return
        task = loop.create_task(self.bust(name))
        self._busts.add(task)
        task.add_done_callback(self._busts.discard)

    async def stop(self) -> None:
        for feed in self._feeds.values():
            await feed.stop()
        if self._hub is not None:
            await self._hub.stop()
        self.engine.dispose()
        if self.reads is not None and self.reads.replica is not None:
            self.reads.replica.dispose()

    async def limit(
        self, name: str, limiter: ClientLimiter, peer: str | None, forwarded: Iterable[str]
    ) -> Decision:
        """Take one request of the client behind (``peer``, ``forwarded``) from ``limiter``'s allowance, counted
        in PostgreSQL for every worker process together (:mod:`db.rate_limit`)."""
        if limiter.buckets is None:
            return ALLOWED
        # the limit's numbers are part of its name: a changed setting starts afresh, as a restart did before
        name = f"{name}:{limiter.per_minute:g}:{limiter.burst}"
        return await self.limit_key(name, client_key(peer, forwarded, limiter.trusted), limiter.per_minute,
                                    limiter.burst)  # fmt: skip

    async def limit_key(self, name: str, key: str, per_minute: float, burst: int) -> Decision:
        """One request of ``key`` under the limit ``name``, for every worker process together."""
        self._limit_hits += 1
        purge = self._limit_hits % PURGE_EVERY == 0

        def work(c: Connection) -> rate_limit.Hit:  # a transaction of its own, writing rate_bucket only
            rate_limit.commit_without_waiting(c)
            if purge:
                rate_limit.purge(c)
            return rate_limit.hit(c, name, key, per_minute, burst)

        got = await anyio.to_thread.run_sync(self.write, work)
        return ALLOWED if got.allowed else Decision(False, got.retry_after)

    def read(self, fn: Callable[[Connection], T]) -> T:
        """Run a read query in its own short transaction (call from a worker thread)."""
        with self.engine.connect() as conn:
            return fn(conn)

    def write(self, fn: Callable[[Connection], T]) -> T:
        """Run a write in one transaction: committed on success, rolled back on any error."""
        with self.engine.begin() as conn:
            return fn(conn)

    def view(self, fn: Callable[[Connection], T]) -> T:
        """A read of a read-only screen (wall, public map, stats, analysis, OGC API): never a write, never a read
        that must see the caller's own write just made (those use :meth:`read`). Goes to the read replica while
        it is up and within ``GUIYANG_READ_MAX_LAG_SECONDS`` (see :class:`db.read_route.ReadRoute`), else, and
        when the read fails there, to the primary."""
        return self.view_fresh(fn, None)

    def view_fresh(self, fn: Callable[[Connection], T], fresh: Callable[[T], bool] | None) -> T:
        """:meth:`view`, read again on the primary when the replica's answer is not ``fresh`` (e.g. a catch-up
        that has not reached the event id a doorbell just rang with: the replica has not replayed it yet)."""
        engine, on_replica = self.reads.engine() if self.reads is not None else (self.engine, False)
        if not on_replica:
            return self.read(fn)
        try:
            with engine.connect() as conn:
                result = fn(conn)
        except DBAPIError:  # the replica went away or cancelled the read (recovery conflict): the primary
            assert self.reads is not None  # nosec B101 # on_replica implies a route
            self.reads.invalidate()
            return self.read(fn)
        if fresh is not None and not fresh(result):
            return self.read(fn)
        return result

    def read_state(self) -> dict[str, object]:
        """Where views read now (``state`` off/replica/primary, ``reason``, ``lag_seconds``, ``lag_bytes``); may
        run the (cached, ~1 s) lag check: call from a worker thread."""
        return self.reads.state().as_json() if self.reads is not None else {"state": "off"}


_current: ContextVar[Services | None] = ContextVar("gy_services", default=None)


class Bind:
    """ASGI middleware: every request (and what it runs: callbacks, worker threads) sees this app's object."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _current.set(self.services)
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)


@contextmanager
def using(services: Services) -> Iterator[Services]:
    """Run a block (a test, a background job) as if inside a request of this app."""
    token = _current.set(services)
    try:
        yield services
    finally:
        _current.reset(token)


def services() -> Services:
    """The app object of the current request."""
    found = _current.get()
    if found is None:
        raise RuntimeError("no app here: call from a request of a server made by dashboard.app.create_server")
    return found


def read(fn: Callable[[Connection], T]) -> T:
    """Run a read query in its own short transaction (call from a worker thread)."""
    return services().read(fn)


def write(fn: Callable[[Connection], T]) -> T:
    """Run a write in one transaction: committed on success, rolled back on any error."""
    return services().write(fn)


async def aread(fn: Callable[[Connection], T]) -> T:
    """``read`` off the event loop: Dash runs callbacks on the loop, blocking I/O must not."""
    return await anyio.to_thread.run_sync(services().read, fn)


async def aview(fn: Callable[[Connection], T]) -> T:
    """``Services.view`` off the event loop: the reads of read-only screens."""
    return await anyio.to_thread.run_sync(services().view, fn)


async def aview_fresh(fn: Callable[[Connection], T], fresh: Callable[[T], bool]) -> T:
    """``Services.view_fresh`` off the event loop: a view that must reach what ``fresh`` asks of its answer."""
    return await anyio.to_thread.run_sync(services().view_fresh, fn, fresh)


async def aread_state() -> dict[str, object]:
    """``Services.read_state`` off the event loop."""
    return await anyio.to_thread.run_sync(services().read_state)


async def awrite(fn: Callable[[Connection], T]) -> T:
    return await anyio.to_thread.run_sync(services().write, fn)

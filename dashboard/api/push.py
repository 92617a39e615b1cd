"""``GET /push/events``: the wall's doorbell as server-sent events (staff session required).

Events: ``doorbell`` with ``{"id": newest case_event id, "x": the committing transaction, "n": the process's
count}`` at connect and at every commit of events (coalesced; :class:`dashboard.push.Bell`),
``alerts`` with ``{"n": counter}`` when a 研判预警 alert was raised or changed (the page re-reads its alerts), and a
``alarm`` with ``{"n": counter}`` when an alarm (突发 / 督办 / 预警) was raised or acknowledged (the page re-reads
its open alarms), a ``ping`` every 15 s so the page can tell a live stream from a dead one. The page then asks for
everything its last snapshot did not see (a Dash callback); the event carries no case data. ``retry: 1000`` makes the browser's
EventSource reconnect within a second after a restart or a network drop.

A page may ask for a feed instead of the doorbells after the first one (:mod:`dashboard.feeds`): ``?feed=wall``
(a user of the wall's roles: the wall's catch-up, pins, gone, ticker events, what every wall role sees) or
``?feed=workbench`` (a user of the workbench's roles: the cases within the user's reach that changed, and those
someone else changed, the feed of the user's scope). Each commit is then a ``delta`` event with what the feed's
cursor did not see, or a ``doorbell`` when the feed cannot tell. ``/push/status`` counts the feeds' members,
deltas and doorbells.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse, ServerSentEvent

from dashboard import auth, wall_delta, wb_delta
from dashboard.feeds import Feed
from dashboard.push import Bell, PushHub
from dashboard.runtime import Services
from db.accounts import StaffIdentity
from ops.policy import Screen, roles_for, workbench_scope

WALL_ROLES = frozenset(roles_for(Screen.WALL))
WORKBENCH_ROLES = frozenset(roles_for(Screen.WORKBENCH))
PING_SECONDS = 15
RETRY_MS = 1000
#: Seconds a stream gets to end cleanly at shutdown (less than uvicorn's --timeout-graceful-shutdown).
SHUTDOWN_GRACE = 1.0


def make_router(ops: Services) -> APIRouter:
    def hub() -> PushHub:
        """The app's listener (:meth:`dashboard.runtime.Services.push_hub`), stopped by the server's lifespan."""
        return ops.push_hub()

    router = APIRouter(prefix="/push")

    @router.get("/events", include_in_schema=False, response_model=None)
    async def events(request: Request) -> EventSourceResponse | JSONResponse:
        user = await auth.acurrent_user()
        if user is None:
            return JSONResponse(
                {"error": "unauthorized", "message": "请先登录 / please sign in"}, status_code=401
            )
        h = hub()
        sub = h.subscribe()
        # a page may ask for its feed (dashboard/feeds.py): deltas instead of the doorbells after the first
        feed = _feed(request.query_params.get("feed"), user)
        if feed is not None:
            sub.reader = user.id
            feed.join(sub)
        stopping = anyio.Event()  # set by sse-starlette when the server shuts down

        async def stream() -> AsyncIterator[ServerSentEvent]:
            stop = asyncio.ensure_future(stopping.wait())
            rung: asyncio.Future[tuple[Bell | None, int | None]] | None = None
            try:
                hello = {"hello": True, "worker": os.getpid()}  # which worker process holds this stream
                yield ServerSentEvent(data=json.dumps(hello), event="hello", retry=RETRY_MS)
                while not stop.done():
                    rung = asyncio.ensure_future(sub.wait())
                    await asyncio.wait({rung, stop}, return_when=asyncio.FIRST_COMPLETED)
                    if rung.done():
                        bell, alerts = rung.result()
                        if bell is not None and (feed is None or bell is sub.first):
                            yield ServerSentEvent(
                                data=json.dumps(bell.data()), event="doorbell", id=str(bell.id)
                            )
                        for name, data in sub.take_feed():
                            yield ServerSentEvent(data=data, event=name)
                        if alerts is not None:
                            yield ServerSentEvent(data=json.dumps({"n": alerts}), event="alerts")
                        alarms = sub.take_alarms()
                        if alarms is not None:
                            yield ServerSentEvent(data=json.dumps({"n": alarms}), event="alarm")
                # shutting down: end the response properly; the browser reconnects to the next server
            finally:
                for task in (rung, stop):
                    if task is not None and not task.done():
                        task.cancel()
                h.unsubscribe(sub)
                if feed is not None:
                    feed.leave(sub)

        return EventSourceResponse(
            stream(),
            ping=PING_SECONDS,
            ping_message_factory=lambda: ServerSentEvent(data="", event="ping"),
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
            shutdown_event=stopping,
            shutdown_grace_period=SHUTDOWN_GRACE,
        )

    def _feed(kind: str | None, user: StaffIdentity) -> Feed | None:
        """The feed ``kind`` for ``user``: the wall's (one for all), the workbench's of the user's scope, or None
        (not asked for, or not the user's screen)."""
        if kind == "wall" and user.role in WALL_ROLES:
            return ops.feed("wall", wall_delta.step, wall_delta.current)
        if kind == "workbench" and user.role in WORKBENCH_ROLES:
            scope = workbench_scope(user)
            return ops.feed(
                ("workbench", scope), wb_delta.step_for(scope), wb_delta.current, wb_delta.personal
            )
        return None

    @router.get("/status", include_in_schema=False)
    async def status() -> JSONResponse:
        user = await auth.acurrent_user()
        if user is None:
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        h = hub()
        return JSONResponse(
            {
                "listening": h.connected,
                "latest": h.latest,
                "alerts": h.alerts,
                "alarms": h.alarms,
                "subscribers": h.subscribers,
                "feeds": [
                    {
                        "members": f.members,
                        "deltas": f.deltas,
                        "rings": f.rings,
                        "kind": str(k[0] if isinstance(k, tuple) else k),
                    }
                    for k, f in ops.feeds().items()
                ],
            }
        )

    @router.api_route("/{rest:path}", methods=["GET", "POST"], include_in_schema=False)
    async def not_found(rest: str) -> JSONResponse:
        return JSONResponse({"error": "not_found"}, status_code=404)

    return router

"""``guiyang-ops serve``: the app under uvicorn (Dash on FastAPI)."""

from __future__ import annotations

import argparse

import uvicorn

from cli.commands.setup import print_demo_logins
from dashboard.database import database_url
from dashboard.settings import Settings

#: Seconds uvicorn's supervisor waits for a worker process to answer its health check.
WORKER_HEALTHCHECK_S = 120


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    database_url(settings)  # the local cluster is started (the database made) here, not by building the app
    host = args.host or settings.host
    port = args.port or settings.port
    if settings.demo_mode:
        print_demo_logins(f"http://{host}:{port}")
    uvicorn.run(
        "dashboard.asgi:make_server",
        factory=True,
        host=host,
        port=port,
        workers=None if args.debug else settings.workers,
        reload=args.debug,
        log_level=settings.log_level.lower(),
        timeout_graceful_shutdown=5,
        # a worker importing the app on a busy machine answers the supervisor's first ping late: uvicorn's 5 s
        # default killed and restarted workers for ever (GUIYANG_WORKERS=2 never came up on a loaded 2-core host)
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        proxy_headers=False,
    )
    return 0

"""The ``guiyang-ops`` command. Every subcommand honours DATABASE_URL and the GUIYANG_* settings.

The commands and their arguments are in :mod:`cli.parser`; each command's handler (in
:mod:`cli.commands`) and the app's heavy imports are loaded only once the arguments are accepted, so
``--help``, ``--version`` and every refused argument answer at once.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from cli.parser import build_parser

if TYPE_CHECKING:
    from dashboard.settings import Settings

Handler = Callable[["Settings", argparse.Namespace], int]


def handler(args: argparse.Namespace) -> Handler:
    """The function a parsed command names (``"module:function"``), imported now."""
    module, name = str(args.handler).split(":")
    func: Handler = getattr(importlib.import_module(module), name)
    return func


def main(argv: list[str] | None = None) -> int:
    """Run one command. Every refusal is ONE line on stderr: bad arguments (exit 2), a refused value (2), an
    unreachable database or cluster (1), anything unexpected (1; its traceback with GUIYANG_LOG_LEVEL=DEBUG)."""
    args = build_parser().parse_args(argv)

    import logging

    from pydantic import ValidationError as PydanticValidationError

    from cli.progress import fail
    from dashboard.settings import get_settings
    from db.cluster import ClusterError
    from db.errors import DomainError
    from db.unavailable import is_unavailable, summary

    try:
        settings = get_settings()
    except PydanticValidationError as exc:
        errs = exc.errors()
        where = ".".join(str(x) for x in errs[0]["loc"]) if errs else "settings"
        fail(f"设置无效 / Invalid setting {where}: {errs[0]['msg'] if errs else exc}")
        return 2
    func = handler(args)  # imported before logging is set up: some libraries log INFO lines as they load
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log = logging.getLogger("guiyang_ops")
    try:
        return func(settings, args)
    except DomainError as exc:
        from cli.commands.setup import handle_domain_error

        log.debug("refused: %s (%s)", exc.en, exc.detail)
        return handle_domain_error(exc, settings.default_lang)
    except KeyboardInterrupt:
        return 130
    except ClusterError as exc:
        fail(f"本地数据库集群不可用 / The local cluster is not available: {' '.join(str(exc).split())[:300]}")
        return 1
    except Exception as exc:  # noqa: BLE001 - one line for the user, the traceback for DEBUG
        log.debug("command failed", exc_info=exc)
        if is_unavailable(exc):
            fail(f"无法连接数据库 / Cannot reach the database: {summary(exc)}")
        else:
            fail(f"意外错误 / Unexpected error: {summary(exc)} (GUIYANG_LOG_LEVEL=DEBUG shows the traceback)")
        return 1


if __name__ == "__main__":
    sys.exit(main())

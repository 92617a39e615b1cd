"""Argument checking of the ``guiyang-ops`` command: a parser whose refusals are one line on stderr (no usage
block), and argparse types that refuse values out of range with a bilingual message (zh-CN first)."""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import NoReturn


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser (and its subcommands' parsers) refusing with ONE line: ``prog: error: message``."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {' '.join(message.split())}\n")
        sys.exit(2)


def _refuse(zh: str, en: str, value: str) -> argparse.ArgumentTypeError:
    return argparse.ArgumentTypeError(f"{zh} / {en} (got {value!r})")


def int_range(low: int, high: int | None = None) -> Callable[[str], int]:
    """An integer in [low, high] (no upper bound when ``high`` is None)."""

    def parse(value: str) -> int:
        try:
            n = int(value.replace("_", "").replace(",", ""))
        except ValueError:
            n = None
        if n is None or n < low or (high is not None and n > high):
            if high is None:
                raise _refuse(f"须为不小于 {low:,} 的整数", f"must be an integer of at least {low:,}", value)
            raise _refuse(
                f"须为 {low:,} 到 {high:,} 之间的整数", f"must be an integer from {low:,} to {high:,}", value
            )
        return n

    parse.__name__ = "integer"
    return parse


def positive_float(high: float | None = None) -> Callable[[str], float]:
    """A number greater than 0 (and at most ``high``)."""

    def parse(value: str) -> float:
        try:
            x = float(value)
        except ValueError:
            x = float("nan")
        if not (x > 0) or x == float("inf") or (high is not None and x > high):
            limit = f"，且不大于 {high:g}" if high is not None else ""
            limit_en = f" and at most {high:g}" if high is not None else ""
            raise _refuse(f"须为大于 0 的数{limit}", f"must be a number greater than 0{limit_en}", value)
        return x

    parse.__name__ = "number"
    return parse


def adcode(value: str) -> str:
    """A GB/T 2260 code: six digits (whether it exists is the database's to say)."""
    if not re.fullmatch(r"\d{6}", value.strip()):
        raise _refuse("区县代码须为 6 位数字", "a district code is 6 digits", value)
    return value.strip()


def code(value: str) -> str:
    """A department, category or similar code: 1-40 letters, digits, ``_`` or ``-``."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", value.strip()):
        raise _refuse(
            "代码只能含字母、数字、_ 和 -（最多 40 个）", "a code is 1-40 letters, digits, _ or -", value
        )
    return value.strip()


def revision(value: str) -> str:
    """An Alembic revision: ``head``, ``base``, an id, or relative (``+1``, ``head-1``)."""
    if not re.fullmatch(r"[A-Za-z0-9_+\-@]{1,64}", value.strip()):
        raise _refuse("不是迁移版本号", "not a migration revision", value)
    return value.strip()


def existing_file(value: str) -> Path:
    """A file that exists and can be read."""
    path = Path(value)
    if not path.is_file():
        raise _refuse("文件不存在", "no such file", value)
    return path


def database_name(value: str) -> str:
    """A plain PostgreSQL database name: 1-63 letters, digits, ``_`` or ``-``."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,63}", value.strip()):
        raise _refuse(
            "数据库名只能含字母、数字、_ 和 -", "a database name is 1-63 letters, digits, _ or -", value
        )
    return value.strip()


def burst(value: str) -> tuple[str, float, float]:
    """``CATEGORY@LAT,LON``: a 小类 code and a WGS-84 point, latitude first (whether the 小类 exists and the point
    lies in the service area is the database's to say)."""
    m = re.fullmatch(r"\s*([A-Za-z0-9_-]{1,40})@\s*([-+0-9.eE]+)\s*,\s*([-+0-9.eE]+)\s*", value)
    try:
        lat, lon = (float(m.group(2)), float(m.group(3))) if m else (math.nan, math.nan)
    except ValueError:
        lat = lon = math.nan
    if m is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _refuse(
            "须为 小类代码@纬度,经度（纬度在前），如 E0404@26.561,106.693",
            "must be CATEGORY@LAT,LON (latitude first), e.g. E0404@26.561,106.693",
            value,
        )
    return m.group(1), lat, lon


#: Ports a server may listen on.
port = int_range(1, 65535)


class HelpWithDefaults(argparse.HelpFormatter):
    """Every argument's help ends with its default, unless the help already says it or there is none to say
    (a flag that is off, an optional value that is unset: the help tells what unset means)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "default" in text
            or default is None
            or default is False
            or default is argparse.SUPPRESS
            or action.option_strings == []  # a positional argument has no default
        ):
            return text
        shown = f"{default:,}" if isinstance(default, int) and not isinstance(default, bool) else default
        return f"{text} (default: {shown})"


def command(sub: argparse._SubParsersAction, name: str, help: str) -> argparse.ArgumentParser:
    """A command or subcommand: its help is also its description, and every argument's help shows its default.
    Every ``cli.parser*`` module makes its commands with this."""
    p: argparse.ArgumentParser = sub.add_parser(
        name, help=help, description=help, formatter_class=HelpWithDefaults
    )
    return p


def day(value: str) -> date:
    """A day written YYYY-MM-DD."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _refuse("日期格式应为 YYYY-MM-DD", "a date is written YYYY-MM-DD", value) from None

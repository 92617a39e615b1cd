"""``make trust``: the trust measurements of issue 10, each taken as an attacker or a crash would.

Every module in ``bench/trust/`` that defines ``measure() -> list[Finding]`` is run by ``python -m bench.trust``;
each takes care of its own database, server and clean-up, is bounded in time, and reports what it saw.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One measurement: what was tried, what was seen, and whether that is what the product must do."""

    what: str
    seen: str
    expected: str
    ok: bool

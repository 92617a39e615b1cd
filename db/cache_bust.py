"""Cache invalidation across the app's worker processes: a write that makes a cached answer stale announces it on
the ``cache_bust`` channel (``pg_notify``, delivered at commit), and every process's push listener
(:mod:`dashboard.push`, one LISTEN connection per process) clears that cache. Names: ``public`` (the public
answers), ``reference`` (reference data), ``wall`` (the wall's shared panels), ``identity:<user id>``, ``*``
(everything)."""

from __future__ import annotations

from sqlalchemy import Connection, text

CHANNEL = "cache_bust"


def announce(conn: Connection, name: str) -> None:
    """Tell every process (this one too) that the cache ``name`` is stale: at the commit of ``conn``'s
    transaction."""
    conn.execute(text("SELECT pg_notify(:channel, :name)"), {"channel": CHANNEL, "name": name[:200]})

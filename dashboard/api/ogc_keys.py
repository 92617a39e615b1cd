"""The OGC API's partner keys at the door: where a key is read from (``X-API-Key`` header or ``api_key``
parameter) and the client's address for the audit log. The per-key rate limit is counted in PostgreSQL for every
worker process together (:meth:`dashboard.runtime.Services.limit_key`, one bucket per key at the key's own rate)."""

from __future__ import annotations

from fastapi import Request

from dashboard.ratelimit import Network, client_key

HEADER = "x-api-key"
PARAM = "api_key"


def key_of(request: Request) -> str | None:
    """The key a request carries (the header first), or None."""
    value = request.headers.get(HEADER) or request.query_params.get(PARAM)
    return value.strip()[:200] if value and value.strip() else None


def client_of(request: Request, trusted: tuple[Network, ...]) -> str:
    peer = request.client.host if request.client else None
    return client_key(peer, request.headers.getlist("x-forwarded-for"), trusted)

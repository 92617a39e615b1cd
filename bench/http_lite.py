"""A small HTTP/1.1 client on asyncio streams for :mod:`bench.screens`: one keep-alive connection per open screen for
its callbacks and one for its event stream, requests written as prepared bytes, responses read by
``Content-Length`` or chunked encoding. httpx spent ~13 ms of the client's CPU a request (94 % of a core at ~75
requests a second), so with 300 screens the load generator, not the server, set the figures; this one spends a
fraction of a millisecond, and the benchmark prints its CPU beside the server's.

Only what the app's answers need: no redirects, no TLS, no compression, no cookies of its own (the signed-in
session's headers are given)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit


class HttpError(Exception):
    pass


class Connection:
    """One keep-alive connection to ``base`` (``http://host:port``); requests on it go one at a time."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        url = urlsplit(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.reader is None or self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self.reader, self.writer

    def _head(self, method: str, path: str, extra: str) -> bytes:
        return (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self.extra}{extra}\r\n".encode()
        )

    async def _status(self, reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
        line = await reader.readline()
        if not line:
            raise HttpError("connection closed")
        status = int(line.split(b" ", 2)[1])
        headers: dict[str, str] = {}
        while (h := await reader.readline()) not in (b"\r\n", b"\n", b""):
            k, _, v = h.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        return status, headers

    async def post_json(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        """POST ``body`` as JSON; the status and the decoded answer (None when empty). A kept-alive connection
        the server has closed meanwhile (its idle timeout) is opened again and the request sent once more, as a
        browser does."""
        data = json.dumps(body, separators=(",", ":")).encode()
        extra = f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        for attempt in (1, 2):
            reused = self.writer is not None and not self.writer.is_closing()
            try:
                reader, writer = await self._open()
                writer.write(self._head("POST", path, extra) + data)
                status, headers = await self._status(reader)
                raw = await _body(reader, headers)
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError, HttpError) as exc:
                self.close()
                if reused and attempt == 1 and isinstance(exc, HttpError | ConnectionError):
                    continue
                raise HttpError(repr(exc)[:80]) from exc
            if headers.get("connection", "").lower() == "close":
                self.close()
            return status, (json.loads(raw) if raw else None)
        raise AssertionError("unreachable")  # pragma: no cover

    async def lines(self, path: str) -> AsyncIterator[str]:
        """GET ``path`` as an event stream: its lines, as they come."""
        reader, writer = await self._open()
        writer.write(self._head("GET", path, "Accept: text/event-stream\r\n"))
        status, headers = await self._status(reader)
        if status != 200:
            raise HttpError(f"stream {status}")
        pending = b""
        async for piece in _pieces(reader, headers):
            pending += piece
            *done, pending = pending.split(b"\n")
            for line in done:
                yield line.rstrip(b"\r").decode()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "content-length" in headers:
        return await reader.readexactly(int(headers["content-length"]))
    return b"".join([p async for p in _pieces(reader, headers)])


async def _pieces(reader: asyncio.StreamReader, headers: dict[str, str]) -> AsyncIterator[bytes]:
    """The body in pieces: chunked, or up to ``Content-Length``, or to the end of the connection."""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                return
            yield await reader.readexactly(size)
            await reader.readline()
    elif "content-length" in headers:
        yield await reader.readexactly(int(headers["content-length"]))
    else:
        while piece := await reader.read(65536):
            yield piece

"""A lean HTTP/1.1 keep-alive client for benchmarks: the server under test shares this machine's cores with
the client, and httpx spends ~1.5 ms of CPU per request here (more than many of the requests it measures)."""

from __future__ import annotations

import asyncio
import json
from typing import Any


class Response:
    __slots__ = ("body", "status")

    def __init__(self, status: int, body: bytes) -> None:
        self.status, self.body = status, body

    def json(self) -> Any:
        return json.loads(self.body)


class Connection:
    """One keep-alive connection; one request at a time (no pipelining), as a trader's system sends."""

    def __init__(self, host: str, port: int, headers: dict[str, str] | None = None) -> None:
        self.host, self.port = host, port
        self.base = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    reconnects = 0  # connections the server had closed (keep-alive timeout) found at the next request

    async def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Response:
        """Send and read the answer. A reused connection the server closed meanwhile (nothing read back)
        is opened again and the request sent once more, as browsers and httpx do."""
        fresh = self.writer is None
        try:
            return await self._send(method, path, body, headers)
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as exc:
            if fresh or (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
                raise
            Connection.reconnects += 1
            await self.close()
            return await self._send(method, path, body, headers)

    async def _send(self, method: str, path: str, body: Any, headers: dict[str, str] | None) -> Response:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        raw = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.base}{extra}"
            f"Content-Type: application/json\r\nContent-Length: {len(raw)}\r\n\r\n"
        )
        self.writer.write(head.encode() + raw)
        assert self.reader is not None
        status_line, _, rest = (await self.reader.readuntil(b"\r\n\r\n")).partition(b"\r\n")
        length, chunked = 0, False
        for line in rest.split(b"\r\n"):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        data = await self._chunked() if chunked else await self.reader.readexactly(length)
        return Response(int(status_line.split(b" ", 2)[1]), data)

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        parts: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await self.reader.readexactly(size + 2)
            if size == 0:
                return b"".join(parts)
            parts.append(chunk[:-2])

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

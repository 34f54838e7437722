"""Headers every answer carries: `X-Content-Type-Options: nosniff` on all of them (a browser never guesses
a script or a page out of a JSON text or a download), and `Cache-Control: no-store` on JSON answers (a
declaration, a tax amount, a token never stays in a shared or browser cache). A plain ASGI middleware:
the body streams through untouched (server-sent events included)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_STORE = (b"cache-control", b"no-store")
JSON_TYPES = (b"application/json", b"application/problem+json")
# The public reference API (decision 0034) answers public data meant to be cached: its `public` Cache-Control
# is kept there; an error there (problem+json, no such header) still gets no-store.
PUBLIC_PREFIX = "/api/v1/public/"


def harden_headers(headers: list[tuple[bytes, bytes]], *, public: bool = False) -> list[tuple[bytes, bytes]]:
    """The response's raw headers with nosniff added, and for a JSON answer any Cache-Control replaced by
    no-store (but a `public` one on a public route)."""
    names = {name.lower() for name, _ in headers}
    ctype = next((value.lower() for name, value in headers if name.lower() == b"content-type"), b"")
    out = list(headers)
    cache = next((value.lower() for name, value in headers if name.lower() == b"cache-control"), b"")
    if public and cache.startswith(b"public"):
        pass
    elif ctype.split(b";")[0].strip() in JSON_TYPES:
        out = [(n, v) for n, v in out if n.lower() != b"cache-control"]
        out.append(NO_STORE)
    if NOSNIFF[0] not in names:
        out.append(NOSNIFF)
    return out


class SafeHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        public = scope["path"].startswith(PUBLIC_PREFIX)

        async def send_hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                message = {**message, "headers": harden_headers(raw, public=public)}
            await send(message)

        await self.app(scope, receive, send_hardened)

"""Request bodies bounded before they are read: a server-wide size limit, and uploads
parsed only once the caller is known.

Starlette's own RequestBodyLimitMiddleware answers some refusals in plain text; ours
answers every one as a problem document (413), refusing a declared Content-Length before
any byte is read and a streamed (chunked) body as soon as it passes the limit."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import Headers, UploadFile
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atelier.errors import Invalid
from atelier.web.inputs import check_form
from atelier.web.problems import problem

UPLOAD_FORM = {"max_files": 1, "max_fields": 16}  # one file, a few text fields at most


class BodyTooLarge(HTTPException):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {max_bytes:,} bytes")


class BodyLimit:
    """ASGI middleware: 413 for a request body over `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            detail = f"the request body is {int(declared):,} bytes; the limit is {self.max_bytes:,}"
            await problem(413, "Too large", detail)(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge as exc:  # raised where no exception handler saw it
            if started:
                raise
            await problem(413, "Too large", exc.detail)(scope, receive, send)


async def uploaded_file(request: Request, field: str, max_bytes: int) -> tuple[str, bytes]:
    """The file sent in multipart field `field`: its name and at most `max_bytes + 1` of its
    bytes (so that the caller can tell it is over). Call it only once the caller is
    authenticated, so that a stranger's body is never parsed or spooled."""
    form = await request.form(**UPLOAD_FORM)
    try:
        check_form(form)
        sent = form.get(field)
        if not isinstance(sent, UploadFile):
            raise Invalid(
                "%(field)s: a file is required (multipart field %(field2)s)",
                field=field,
                params={"field": field, "field2": repr(field)},
            )
        return sent.filename or "upload", await sent.read(max_bytes + 1)
    finally:
        await form.close()

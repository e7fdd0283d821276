"""Security headers on every response.

Pages get a strict Content-Security-Policy: scripts, styles and everything else only from
the studio's own files (web/static), no inline script or event handler, no framing. What
is not a page is treated as user content — an SVG score, an upload, a work's file — and
sent sandboxed with nothing allowed to run, so a crafted file opened directly cannot run
script in the studio's origin. A route that sets its own policy keeps it."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def page_policy(files_origin: str = "") -> str:
    """The pages' policy; `files_origin` is an object store that works' pictures and sounds
    are redirected to (s3_downloads=redirect), allowed beside the studio's own."""
    files = f" {files_origin}" if files_origin else ""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' blob:{files}",  # blob: a chosen file's preview, made in the page
            f"media-src 'self' blob:{files}",  # blob: a recording made in the browser
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )


PAGE_POLICY = page_policy()
# /docs: Swagger UI's stylesheet draws its icons (arrows, locks, the model toggles) as data:
# SVGs; pictures only, scripts and styles stay the studio's own files.
DOCS_POLICY = PAGE_POLICY.replace("img-src 'self' blob:", "img-src 'self' blob: data:")
# Styles and pictures inside an SVG still show when it is opened on its own; nothing runs.
USER_CONTENT_POLICY = (
    "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; "
    "style-src 'unsafe-inline'; frame-ancestors 'none'"
)
# Our own PDFs (invoices, licence certificates) show inline in the browser's viewer, which a
# sandbox would block; they are made by the studio, not sent by users.
OWN_DOCUMENT_POLICY = "frame-ancestors 'none'"
COMMON = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


def policy_for(content_type: str, page: str = PAGE_POLICY) -> str:
    kind = content_type.split(";")[0].strip().lower()
    if kind == "text/html":
        return page
    if kind == "application/pdf":
        return OWN_DOCUMENT_POLICY
    return USER_CONTENT_POLICY


class SecurityHeaders:
    """Pure ASGI middleware (streams such as server-sent events pass through untouched)."""

    def __init__(self, app: ASGIApp, files_origin: str = "") -> None:
        self.app = app
        self.page = page_policy(files_origin)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.decode("latin-1").lower(): value for name, value in headers}
                for name, value in COMMON.items():
                    if name not in present:
                        headers.append((name.encode(), value.encode()))
                if "content-security-policy" not in present:
                    content_type = present.get("content-type", b"").decode("latin-1")
                    policy = policy_for(content_type, self.page)
                    headers.append((b"content-security-policy", policy.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

"""Rate limits on what costs the studio work or guards a secret: sign-in, sign-up,
password resets, API keys, uploads, jobs, public verification, and votes (panels'
and feedback on works).

Each action is counted per client address and per account (the signed-in user, or the
e-mail an anonymous form names) with the `limits` library, in a moving window. The counts
live where `ATELIER_RATE_LIMIT_STORAGE` says: in this process by default, or in a store
several server processes share (redis://…). Over a limit the answer is 429 with
Retry-After: a problem document under /v1, a page elsewhere. The limits are checked before
any password is hashed, so a flood of sign-ins cannot buy CPU time."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from atelier.accounts.authz import Principal
from atelier.errors import RetryLater, Word
from atelier.settings import RATE_LIMITED, Settings
from atelier.web import i18n, problems
from atelier.web.deps import optional_principal
from atelier.web.pages.common import templates

WHAT = {
    "sign_in": i18n.lazy("sign-in attempts"),
    "sign_up": i18n.lazy("sign-ups"),
    "password": i18n.lazy("password requests"),
    "keys": i18n.lazy("new API keys"),
    "uploads": i18n.lazy("uploads"),
    "jobs": i18n.lazy("jobs"),
    "verify": i18n.lazy("verifications"),
    "votes": i18n.lazy("votes"),
}
WHO = {"address": i18n.lazy("this address"), "account": i18n.lazy("this account")}


class Limiter:
    """The limits of every action, counted in one storage."""

    def __init__(self, settings: Settings) -> None:
        self.strategy = MovingWindowRateLimiter(storage_from_string(settings.rate_limit_storage))
        self.rules: dict[str, list[RateLimitItem]] = {
            action: parse_many(getattr(settings, f"limit_{action}")) for action in RATE_LIMITED
        }

    def hit(self, action: str, address: str, account: str | None = None) -> None:
        """Count one `action` for the address and the account, or raise RetryLater
        (counting nothing) when either is over one of its limits."""
        keys = [("address", address)] + ([("account", account)] if account else [])
        checks = [(item, kind, key) for kind, key in keys for item in self.rules[action]]
        for item, kind, key in checks:
            if not self.strategy.test(item, action, kind, key):
                reset = self.strategy.get_window_stats(item, action, kind, key).reset_time
                wait = max(1, math.ceil(reset - time.time()))
                raise too_many(action, kind, item, wait)
        for item, kind, key in checks:
            self.strategy.hit(item, action, kind, key)


def too_many(action: str, kind: str, item: RateLimitItem, wait: int) -> RetryLater:
    """The refusal: what, from whom, the limit ("at most 2 per 1 hour") and the wait, in
    seconds under two minutes, else in minutes (words a page says in its language)."""
    params: dict[str, object] = {
        "what": Word(WHAT[action]),
        "who": Word(WHO[kind]),
        "amount": item.amount,
        "multiples": item.multiples,
        "unit": Word(item.GRANULARITY.name),
    }
    if wait < 120:
        return RetryLater(
            "too many %(what)s from %(who)s (at most %(amount)s per %(multiples)s %(unit)s); "
            "try again in %(wait)s seconds",
            wait,
            params={**params, "wait": wait},
        )
    return RetryLater(
        "too many %(what)s from %(who)s (at most %(amount)s per %(multiples)s %(unit)s); "
        "try again in %(wait)s minutes",
        wait,
        params={**params, "wait": math.ceil(wait / 60)},
    )


def address(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy, run uvicorn with
    --forwarded-allow-ips so that this is the real client's)."""
    return request.client.host if request.client else "unknown"


def check(request: Request, action: str, account: str | None = None) -> None:
    limiter: Limiter = request.app.state.limiter
    limiter.hit(action, address(request), account.strip().lower() if account else None)


def limit(
    action: str, who: Callable[..., Principal | None] = optional_principal
) -> Callable[..., None]:
    """A route dependency counting `action` for the caller's address and, when signed
    in (`who`: how the route finds its caller), their account."""

    def dependency(request: Request, caller: Principal | None = Depends(who)) -> None:
        check(request, action, caller.user_id if caller else None)

    return dependency


def install(app: FastAPI, settings: Settings) -> None:
    app.state.limiter = Limiter(settings)

    @app.exception_handler(RetryLater)
    async def too_many(request: Request, exc: RetryLater) -> Response:
        """Rate limits and locked accounts: 429 with Retry-After."""
        headers = {"Retry-After": str(exc.retry_after)}
        if request.url.path.startswith("/v1/"):
            return problems.problem(429, exc.title, exc.detail, headers=headers)
        context: dict[str, Any] = {"who": None, "detail": i18n.shown(exc)}
        return templates.TemplateResponse(
            request, "too_many.html", context, status_code=429, headers=headers
        )

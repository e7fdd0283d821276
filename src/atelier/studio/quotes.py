"""What a job would cost its caller, asked before submitting (the form's cost line): the
engine's estimate on the measures of the real inputs, in the credits submit would hold,
against the caller's balance, so a short balance is told before Create, not after."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from atelier.accounts.authz import Principal
from atelier.commerce import credits
from atelier.commerce.service import Commerce
from atelier.engines.base import Measure
from atelier.store.db import Database
from atelier.studio import uploads, variants
from atelier.studio.catalogue import UNSENT, Catalogue, params_schema, upload_fields


@dataclass(frozen=True)
class Quote:
    """`credits`: what submit would hold (to the hundredth, at least the minimum charge).
    `balance` is None for an unmetered caller (admins). `missing`: required parameters
    still empty (no estimate until they are filled in). `typical`: upload parameters not
    measured yet (no file chosen), estimated as a typical input. `variants`: the works
    it is for (an image engine's variants; 1 for one result)."""

    seconds: float = 0.0
    credits: float = 0.0
    balance: float | None = None
    missing: tuple[str, ...] = ()
    typical: tuple[str, ...] = ()
    variants: int = 1

    @property
    def short(self) -> float:
        """Credits the balance lacks to cover the quote (0 when it does)."""
        if self.balance is None or self.missing:
            return 0
        return max(0, round(self.credits - self.balance, 2))


class Quotes:
    def __init__(self, db: Database, engines: Catalogue, commerce: Commerce) -> None:
        self.db = db
        self.engines = engines
        self.commerce = commerce

    def quote(
        self,
        who: Principal,
        engine_name: str,
        params: dict[str, Any],
        chosen: Mapping[str, Measure | None] | None = None,
    ) -> Quote:
        """`params` as a form sends them: an upload parameter names one of the caller's
        uploads (measured when it arrived) or is left out. `chosen`: files picked but not
        sent yet, by parameter, with what the page measured of them (None: not
        measurable there). Invalid names a parameter the engine refuses."""
        engine = self.engines.get(engine_name)
        account = self.commerce.account(who)
        balance = None if account.unmetered else account.balance
        missing = tuple(self.engines.missing(engine.name, params))
        if missing:
            return Quote(balance=balance, missing=missing)
        chosen = chosen or {}
        files = upload_fields(engine)
        sent = {n: params[n] for n in files if params.get(n) and n not in chosen}
        with self.db.transaction() as s:
            inputs = uploads.check_params(s, who, engine, sent)
        given = {n: None for n in files if params.get(n)} | dict(chosen)
        inputs.update({n: m for n, m in given.items() if n in files and m is not None})
        required = set(params_schema(engine).get("required", []))
        typical = tuple(n for n in files if n not in inputs and (n in given or n in required))
        filled = {**params, **dict.fromkeys(given, UNSENT)}
        estimate = self.engines.estimate(engine.name, filled, inputs)
        return Quote(
            seconds=estimate["seconds"],
            credits=credits.in_credits(credits.reservation(estimate["credits"])),
            balance=balance,
            typical=typical,
            variants=variants.count(engine, params),
        )

"""The market never answers 5xx, whatever a creator and buyers do in whatever order: a
hypothesis state machine lists a work, adds, removes and reprices offers, withdraws and
lists it again, buys (each offer kind, two buyers, no Idempotency-Key), pays and voids,
through the REST API on SQLite and on PostgreSQL, and checks every answer and the listing
against a model of what the market promises."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from atelier.commerce.market_models import Order
from atelier.commerce.offers import KINDS, OFFERS
from atelier.studio import Studio
from atelier.studio.runner import Worker
from atelier.web.app import create_app
from tests.support.accounts import api_user, principal, upgrade
from tests.support.api import studio_of, submit, upload
from tests.support.settings import make_settings

PAID = [k for k in KINDS if not OFFERS[k].free]
# Prices a creator may type: valid ones, the edges, and a few out of range.
PRICES = st.one_of(st.sampled_from([100, 900, 4900, 50_000, 10_000_000]), st.just(99))
LIVE = ("open", "paid", "free")


@dataclass
class World:
    """One studio for all examples: its API client, the creator (on a plan with commercial
    use, with a photo whose rights are affirmed), two buyers and an admin."""

    client: TestClient
    creator: dict[str, str]
    photo: str  # an upload id
    buyers: list[dict[str, str]]
    admin: dict[str, str]


def _database(kind: str, tmp: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'atelier.db'}"
    server = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.replace("+psycopg", "") + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp(f"market-{request.param}")
    url = _database(request.param, tmp, request)
    with TestClient(create_app(make_settings(tmp, url))) as client:  # no worker threads
        creator = api_user(client, "creator@example.com")
        upgrade(studio_of(client), principal(client, "creator@example.com"))
        photo = upload(client, creator)
        assert client.post(f"/v1/uploads/{photo}/rights", headers=creator).status_code == 200
        buyers = [api_user(client, f"buyer{i}@example.com", "customer") for i in range(2)]
        admin = api_user(client, "boss@example.com", "admin")
        yield World(client, creator, photo, buyers, admin)


class MarketMachine(RuleBasedStateMachine):
    """The model: the listing's state and offers, and each buyer's orders by offer kind."""

    world: World

    def __init__(self) -> None:
        super().__init__()
        w = self.world
        job = submit(w.client, w.creator, "image.stylize", {"image": w.photo, "style": 1})
        assert Worker(studio_of(w.client)).run_one()  # a real worker, run here
        self.work = w.client.get(f"/v1/jobs/{job['id']}", headers=w.creator).json()["work_ids"][0]
        self.state: str | None = None  # None: never listed
        self.offers: dict[str, int] = {}
        self.orders: dict[tuple[int, str], dict[str, Any]] = {}  # (buyer, kind) → order

    def call(self, method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
        answer = self.world.client.request(method, path, headers=headers, **kw)
        assert answer.status_code < 500, (method, path, kw, answer.status_code, answer.text)
        if answer.status_code >= 400:
            assert answer.headers["content-type"] == "application/problem+json", answer.text
        return answer

    # -- the creator ---------------------------------------------------------------------

    def _list(self, offers: dict[str, int]) -> None:
        answer = self.call(
            "POST", f"/v1/works/{self.work}/listing", self.world.creator, json={"offers": offers}
        )
        valid = offers and all(
            price == 0 if OFFERS[kind].free else 100 <= price <= 10_000_000
            for kind, price in offers.items()
        )
        if not valid:
            assert answer.status_code == 422, answer.text
        elif self.state in ("reserved", "sold"):
            assert answer.status_code == 409, answer.text
        else:
            assert answer.status_code == 200, answer.text
            self.state, self.offers = "listed", dict(offers)

    @rule(kinds=st.sets(st.sampled_from(KINDS), max_size=4), price=PRICES)
    def list_offers(self, kinds: set[str], price: int) -> None:
        self._list({k: 0 if OFFERS[k].free else price for k in kinds})

    @rule(kind=st.sampled_from(KINDS), price=PRICES)
    def add_or_reprice_offer(self, kind: str, price: int) -> None:
        self._list({**self.offers, kind: 0 if OFFERS[kind].free else price})

    @rule(kind=st.sampled_from(KINDS))
    def remove_offer(self, kind: str) -> None:
        self._list({k: p for k, p in self.offers.items() if k != kind})

    @rule()
    def withdraw(self) -> None:
        answer = self.call("DELETE", f"/v1/works/{self.work}/listing", self.world.creator)
        if self.state in (None, "unlisted"):
            assert answer.status_code == 404, answer.text
        elif self.state in ("reserved", "sold"):
            assert answer.status_code == 409, answer.text
        else:
            assert answer.status_code == 200 and answer.json()["state"] == "unlisted"
            self.state = "unlisted"

    # -- buyers and the admin ----------------------------------------------------------------

    @rule(buyer=st.integers(0, 1), kind=st.sampled_from(KINDS))
    def buy(self, buyer: int, kind: str) -> None:
        path = f"/v1/works/{self.work}/offers/{kind}/buy"
        answer = self.call("POST", path, self.world.buyers[buyer])
        held = self.orders.get((buyer, kind), {}).get("status") in LIVE
        if self.state in (None, "unlisted"):
            assert answer.status_code == 404, answer.text
        elif self.state in ("reserved", "sold"):
            assert answer.status_code == 409, answer.text
        elif kind not in self.offers:
            assert answer.status_code == 404, answer.text
        elif held:
            assert answer.status_code == 409, answer.text
        else:
            assert answer.status_code == 201, answer.text
            order = answer.json()
            assert order["price"] == self.offers[kind]
            assert order["status"] == ("free" if OFFERS[kind].free else "open")
            self.orders[(buyer, kind)] = order
            if OFFERS[kind].exclusive:
                self.state = "reserved"

    def _open_order(self, buyer: int, kind: str) -> dict[str, Any] | None:
        order = self.orders.get((buyer, kind))
        return order if order is not None and order["status"] == "open" else None

    @rule(buyer=st.integers(0, 1), kind=st.sampled_from(PAID))
    def pay(self, buyer: int, kind: str) -> None:
        order = self._open_order(buyer, kind)
        if order is None:
            return
        path = f"/v1/admin/invoices/{order['invoice']['id']}/paid"
        answer = self.call("POST", path, self.world.admin, json={"reference": "bank"})
        assert answer.status_code == 200 and answer.json()["status"] == "paid", answer.text
        order["status"] = "paid"
        if OFFERS[kind].exclusive:
            self.state = "sold"

    @rule(buyer=st.integers(0, 1), kind=st.sampled_from(PAID))
    def void(self, buyer: int, kind: str) -> None:
        order = self._open_order(buyer, kind)
        if order is None:
            return
        path = f"/v1/admin/invoices/{order['invoice']['id']}/void"
        answer = self.call("POST", path, self.world.admin)
        assert answer.status_code == 200 and answer.json()["status"] == "void", answer.text
        order["status"] = "void"
        if OFFERS[kind].exclusive:
            self.state = "listed"

    # -- what must hold after every step -----------------------------------------------------

    @invariant()
    def as_modelled(self) -> None:
        """The owner's view of the listing is the model's (its offers in catalogue order),
        and no buyer holds two live orders for one offer."""
        answer = self.call("GET", f"/v1/works/{self.work}/listing", self.world.creator)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["state"] == (self.state or "not listed")
        shown = [(o["kind"], o["price"]) for o in body["offers"]]
        assert shown == [(k, self.offers[k]) for k in KINDS if k in self.offers and self.state]
        studio: Studio = studio_of(self.world.client)
        with studio.db.transaction() as s:
            most = s.scalar(
                select(func.count())
                .select_from(Order)
                .where(Order.work_id == self.work, Order.status.in_(LIVE))
                .group_by(Order.buyer_id, Order.offer_kind)
                .order_by(func.count().desc())
                .limit(1)
            )
        assert (most or 0) <= 1


def test_any_sequence_of_listing_actions_never_500s(world: World) -> None:
    MarketMachine.world = world
    run_state_machine_as_test(
        MarketMachine,
        settings=settings(
            max_examples=12,
            stateful_step_count=14,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )

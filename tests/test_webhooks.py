"""Events out (issue 17): every event type reaches a real receiver on loopback signed as a
Standard Webhook; a receiver killed mid-stream and started again ends with every event,
at least once and exactly once by id; a failing endpoint is retried with doubling pauses,
each try in the log; the event stream resumes after Last-Event-ID with exactly what was
missed, in order; another account sees neither your events nor your endpoints. On SQLite
and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from atelier.accounts.authz import Principal
from atelier.errors import Invalid
from atelier.settings import Settings
from atelier.store.outbox import EVENT_TYPES, OutboxEvent, WebhookDelivery
from atelier.studio import Studio
from atelier.studio.dispatch import Dispatcher
from atelier.web.app import create_app
from tests.support.accounts import add_user, admin_of, api_user, upgrade
from tests.support.api import problem_fields, read_events
from tests.support.receiver import Received, Receiver
from tests.support.servers import free_port, serve_app, wait_until
from tests.support.settings import make_settings
from tests.support.works import make_work

HOOKS = {
    "webhook_allow_private": True,  # the receiver is on loopback
    "webhook_poll_seconds": 0.05,
    "webhook_retry_seconds": 0.05,
    "webhook_retry_max_seconds": 1.0,
    "webhook_max_attempts": 20,  # outlasts a receiver's restart on a loaded machine
    "webhook_timeout_seconds": 5.0,
}


@pytest.fixture
def both(tmp_path: Path, db_url: str) -> Iterator[Studio]:
    studio = Studio(make_settings(tmp_path, db_url, **HOOKS))
    studio.prepare()
    yield studio
    studio.close()


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    found = Receiver(free_port(), tmp_path / "received.jsonl")
    yield found
    found.kill()


@pytest.fixture
def dispatcher(both: Studio) -> Iterator[Dispatcher]:
    running = Dispatcher(both.settings, both.db).start()
    yield running
    running.stop()


def events_of(studio: Studio, who: Principal) -> list[OutboxEvent]:
    return studio.webhooks.events(who, 0, 1000)


def deliveries(studio: Studio) -> list[WebhookDelivery]:
    with studio.db.transaction() as s:
        return list(s.scalars(select(WebhookDelivery)))


def all_sent(studio: Studio) -> bool:
    return all(d.status != "pending" for d in deliveries(studio))


def verified(secret: str, got: Received) -> dict[str, Any]:
    """The body, if its signature is the endpoint's (standardwebhooks raises otherwise)."""
    body: dict[str, Any] = Webhook(secret).verify(got.body, got.headers)
    return body


def test_every_event_type_arrives_signed(
    both: Studio, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    studio = both
    receiver.start()
    creator, buyer = add_user(studio, "creator@example.com"), add_user(studio, "buyer@example.com")
    endpoint = studio.webhooks.create(creator, receiver.url, "all of them")

    work = make_work(studio, creator, "test.wait", {})  # job.succeeded
    studio.works.update(creator, work.id, visibility="public")  # work.published
    queued, _ = studio.jobs.submit(creator, "test.wait", {}, seed=2)
    studio.jobs.cancel(creator, queued.id)  # job.canceled
    running, _ = studio.jobs.submit(creator, "test.wait", {}, seed=3)
    claimed = studio.jobs.claim("test-worker")
    assert claimed is not None and claimed.job_id == running.id
    assert studio.jobs.heartbeat(running.id, "test-worker", 0.05, "started").held  # < a tenth
    studio.jobs.heartbeat(running.id, "test-worker", 0.5, "halfway")  # job.progress
    studio.jobs.heartbeat(running.id, "test-worker", 0.55, "more")  # same tenth: no event
    studio.jobs.fail(running.id, "test-worker", "the engine gave up")  # job.failed
    upgrade(studio, creator)
    studio.market.list_work(creator, work.id, {"standard": 4900})
    order, _ = studio.market.buy(buyer, work.id, "standard")
    assert order.invoice_id is not None
    studio.commerce.mark_paid(admin_of(studio), order.invoice_id, "bank transfer")  # sold
    payout = studio.market.request_payout(creator, 2000)  # payout.requested
    studio.market.mark_payout_paid(admin_of(studio), payout.id, "SEPA 7")  # payout.paid
    studio.webhooks.test(creator, endpoint.id)  # webhook.test

    written = events_of(studio, creator)
    assert sorted({e.type for e in written}) == sorted(EVENT_TYPES)
    assert len(written) == len(EVENT_TYPES)  # one progress event: one tenth crossed
    wait_until(lambda: len(receiver.received()) >= len(written), 30, what="every webhook")
    wait_until(lambda: all_sent(studio), 30, what="every delivery to be recorded")

    got = {r.id: verified(endpoint.secret, r) for r in receiver.received()}
    assert sorted(got) == sorted(str(e.id) for e in written)
    by_type = {body["type"]: body["data"] for body in got.values()}
    assert by_type["job.succeeded"]["work_ids"] == [work.id]
    assert by_type["job.progress"] == {
        "job_id": running.id,
        "engine": "test.wait",
        "status": "running",
        "progress": 0.5,
        "message": "halfway",
    }
    assert by_type["job.failed"]["error"] == "the engine gave up"
    assert by_type["job.canceled"]["job_id"] == queued.id
    assert by_type["work.published"]["work_id"] == work.id
    assert (
        by_type["licence.sold"]["price"] == 4900 and by_type["licence.sold"]["work_id"] == work.id
    )
    assert by_type["licence.sold"]["earnings"] == 4900 - order.commission
    assert (by_type["payout.paid"]["payout_id"], by_type["payout.paid"]["amount"]) == (
        payout.id,
        2000,
    )
    assert by_type["payout.paid"]["reference"] == "SEPA 7"
    # A body signed with another secret is refused: the signature covers id and body.
    forged = Received({**receiver.received()[0].headers}, receiver.received()[1].body)
    with pytest.raises(WebhookVerificationError, match="signature"):
        verified(endpoint.secret, forged)
    # The buyer has events of their own only if something of theirs changed: none here.
    assert events_of(studio, buyer) == []


def test_a_receiver_killed_mid_stream_gets_every_event_once_by_id(
    both: Studio, receiver: Receiver, dispatcher: Dispatcher
) -> None:
    studio = both
    creator = add_user(studio, "creator@example.com")
    receiver.start(hold_after=2)  # answers two, then holds what comes until it is killed
    endpoint = studio.webhooks.create(creator, receiver.url)
    for seed in range(8):
        job, _ = studio.jobs.submit(creator, "test.wait", {}, seed=seed)
        studio.jobs.cancel(creator, job.id)  # job.canceled each
    written = [str(e.id) for e in events_of(studio, creator)]
    assert len(written) == 8

    wait_until(lambda: len(receiver.received()) >= 3, 30, what="a request held unanswered")
    receiver.kill()  # mid-stream: it read the third (and maybe more) and never answered
    held = len(receiver.received())
    wait_until(
        lambda: any(d.attempts >= 1 and d.status == "pending" for d in deliveries(studio)),
        30,
        what="a failed try to be logged while the receiver is down",
    )
    receiver.start()  # on the same port, answering everything
    wait_until(lambda: all_sent(studio), 60, what="every delivery after the restart")

    got = receiver.received()
    ids = [r.id for r in got]
    assert len(ids) >= len(written) and len(ids) > held  # at least once: some twice
    assert sorted(set(ids)) == sorted(written)  # exactly once by id: nothing lost
    assert all(verified(endpoint.secret, r)["type"] == "job.canceled" for r in got)
    assert {d.status for d in deliveries(studio)} == {"delivered"}
    retried = [d for d in deliveries(studio) if d.attempts > 1]
    assert retried  # the held ones failed once and went again
    # The same id on every try: a repeated body is the same event, byte for byte.
    for event_id in {i for i in ids if ids.count(i) > 1}:
        assert len({r.body for r in got if r.id == event_id}) == 1


def test_a_failing_endpoint_is_retried_with_growing_pauses(
    tmp_path: Path, db_url: str, receiver: Receiver
) -> None:
    settings = make_settings(tmp_path, db_url, **{**HOOKS, "webhook_max_attempts": 4})
    studio = Studio(settings)
    studio.prepare()
    dispatcher = Dispatcher(settings, studio.db).start()
    try:
        receiver.start(status=503)
        who = add_user(studio, "creator@example.com")
        endpoint = studio.webhooks.create(who, receiver.url)
        event = studio.webhooks.test(who, endpoint.id)
        wait_until(lambda: all_sent(studio), 30, what="the delivery to fail for good")

        [logged] = studio.webhooks.deliveries(who, endpoint.id)
        assert logged.delivery.status == "failed" and logged.event.id == event.id
        attempts = logged.attempts
        assert [a.number for a in attempts] == [1, 2, 3, 4]
        assert [a.status_code for a in attempts] == [503] * 4
        assert all(a.error == "the endpoint answered 503" for a in attempts)
        pauses = [(a.retry_at - a.at).total_seconds() for a in attempts[:-1] if a.retry_at]
        assert pauses == pytest.approx([0.05, 0.1, 0.2], abs=0.002)  # doubling
        assert attempts[-1].retry_at is None  # the last: none scheduled
        for before, after in zip(attempts, attempts[1:], strict=False):
            assert before.retry_at is not None and after.at >= before.retry_at  # never early
        ids = [r.id for r in receiver.received()]
        assert ids == [str(event.id)] * 4  # the same webhook-id on every try
    finally:
        dispatcher.stop()
        studio.close()


def test_endpoints_on_private_addresses_are_refused_unless_allowed(tmp_path: Path) -> None:
    studio = Studio(make_settings(tmp_path))
    studio.prepare()
    try:
        who = add_user(studio, "creator@example.com")
        for url in (
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://[::1]/hook",
            "http://10.1.2.3/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::ffff:192.168.0.1]/hook",
        ):
            with pytest.raises(Invalid, match="non-public address") as refused:
                studio.webhooks.create(who, url)
            assert refused.value.errors[0][0] == "url"
        for url, why in (
            ("ftp://example.com/x", "http:// or https://"),
            ("https://user:pw@example.com/x", "user name or password"),
        ):
            with pytest.raises(Invalid, match=why):
                studio.webhooks.create(who, url)
        with pytest.raises(Invalid, match="unknown event type"):
            studio.webhooks.create(who, "http://127.0.0.1/x", types=["job.exploded"])
        assert studio.webhooks.mine(who) == []
    finally:
        studio.close()


# -- the API and the event stream ------------------------------------------------------------


def api_settings(tmp_path: Path, db_url: str) -> Settings:
    return make_settings(tmp_path, db_url, **HOOKS, webhook_dispatch=False)


def test_the_event_stream_resumes_after_last_event_id(tmp_path: Path, db_url: str) -> None:
    app = create_app(api_settings(tmp_path, db_url))
    with serve_app(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        client = TestClient(app)  # only to make accounts and keys in its studio
        mine = api_user(client, "a@example.com")
        theirs = api_user(client, "b@example.com")

        def cancelled_job(headers: dict[str, str]) -> str:
            made = http.post("/v1/jobs", json={"engine": "test.wait"}, headers=headers)
            assert made.status_code == 201, made.text
            job_id = str(made.json()["id"])
            assert http.post(f"/v1/jobs/{job_id}/cancel", headers=headers).status_code == 200
            return job_id

        before = cancelled_job(mine)  # before the stream: not in it
        with http.stream("GET", "/v1/events", headers=mine) as live:
            assert live.headers["content-type"].startswith("text/event-stream")
            first = [cancelled_job(mine) for _ in range(3)]
            seen = read_events(live.iter_lines(), 3)
        assert [e["data"]["data"]["job_id"] for e in seen] == first
        assert all(e["event"] == "job.canceled" == e["data"]["type"] for e in seen)
        assert [int(e["id"]) for e in seen] == [e["data"]["id"] for e in seen]
        assert before not in {e["data"]["data"]["job_id"] for e in seen}

        missed = [cancelled_job(mine) for _ in range(3)]  # while disconnected
        cancelled_job(theirs)  # another account's: never in this stream
        resume = {**mine, "Last-Event-ID": seen[-1]["id"]}
        with http.stream("GET", "/v1/events", headers=resume) as again:
            lines = again.iter_lines()
            caught_up = read_events(lines, 3)
            later = cancelled_job(mine)
            [after] = read_events(lines, 1)
        assert [e["data"]["data"]["job_id"] for e in caught_up] == missed  # exactly, in order
        ids = [int(e["id"]) for e in (*seen, *caught_up, after)]
        assert ids == sorted(ids) and len(set(ids)) == 7
        assert after["data"]["data"]["job_id"] == later

        # The other account's stream, from its beginning, holds its own job only.
        with http.stream("GET", "/v1/events", headers={**theirs, "Last-Event-ID": "0"}) as own:
            lines = own.iter_lines()
            [only] = read_events(lines, 1)
            own_later = cancelled_job(theirs)
            [next_one] = read_events(lines, 1)
        assert only["data"]["data"]["job_id"] not in {*first, *missed, before, later}
        assert next_one["data"]["data"]["job_id"] == own_later

        bad = http.get("/v1/events", headers={**mine, "Last-Event-ID": "yesterday"})
        assert bad.status_code == 422 and problem_fields(bad) == ["Last-Event-ID"]


def test_endpoints_through_the_api_are_the_owners_only(tmp_path: Path) -> None:
    with TestClient(create_app(api_settings(tmp_path, f"sqlite:///{tmp_path / 'a.db'}"))) as client:
        mine, theirs = api_user(client, "a@example.com"), api_user(client, "b@example.com")
        made = client.post(
            "/v1/webhooks",
            json={"url": "http://127.0.0.1:9/hook", "types": ["job.canceled", "webhook.test"]},
            headers=mine,
        )
        assert made.status_code == 201, made.text
        endpoint = made.json()
        assert endpoint["secret"].startswith("whsec_")
        assert len(Webhook(endpoint["secret"])._whsecret) == 32

        listed = client.get("/v1/webhooks", headers=mine).json()
        assert [e["id"] for e in listed["items"]] == [endpoint["id"]]
        assert "secret" not in listed["items"][0]  # shown once, at creation
        assert client.get("/v1/webhooks", headers=theirs).json() == {"items": [], "next": None}
        path = f"/v1/webhooks/{endpoint['id']}"
        for method, url in (
            ("GET", path),
            ("GET", f"{path}/deliveries"),
            ("POST", f"{path}/test"),
            ("DELETE", path),
        ):
            refused = client.request(method, url, headers=theirs)
            assert refused.status_code == 404, (method, url)
            assert problem_fields(refused) == ["webhook_endpoint_id"]

        tested = client.post(f"{path}/test", headers=mine)
        assert tested.status_code == 202 and tested.json()["type"] == "webhook.test"
        job = client.post("/v1/jobs", json={"engine": "test.wait"}, headers=theirs).json()
        client.post(f"/v1/jobs/{job['id']}/cancel", headers=theirs)  # theirs: not sent to mine
        log = client.get(f"{path}/deliveries", headers=mine).json()["items"]
        assert [(d["event"]["type"], d["status"], d["attempts"]) for d in log] == [
            ("webhook.test", "pending", [])
        ]

        wrong = client.post("/v1/webhooks", json={"url": "gopher://x"}, headers=mine)
        assert wrong.status_code == 422 and problem_fields(wrong) == ["url"]
        assert client.delete(path, headers=mine).status_code == 204
        assert client.get("/v1/webhooks", headers=mine).json()["items"] == []


def test_an_unanswered_try_is_sent_again_after_its_lease(both: Studio, receiver: Receiver) -> None:
    """Two dispatchers never hold one delivery at once; one that died holding it (its
    lease ran out) leaves it to the other."""
    studio = both
    receiver.start()
    who = add_user(studio, "creator@example.com")
    endpoint = studio.webhooks.create(who, receiver.url)
    studio.webhooks.test(who, endpoint.id)
    first, second = Dispatcher(studio.settings, studio.db), Dispatcher(studio.settings, studio.db)
    try:
        due = first._claim()  # and then "dies" before sending
        assert len(due) == 1
        assert second._claim() == []  # held by the first
        with studio.db.transaction() as s:
            held = s.get(WebhookDelivery, due[0].delivery_id)
            assert held is not None and held.lease_expires_at is not None
            held.lease_expires_at -= timedelta(minutes=5)  # its lease runs out
        assert second.run_due() == 1
        [logged] = studio.webhooks.deliveries(who, endpoint.id)
        assert logged.delivery.status == "delivered"
        assert [a.status_code for a in logged.attempts] == [204]
        first._send(due[0])  # the first comes back: its late result is not recorded
        [again] = studio.webhooks.deliveries(who, endpoint.id)
        assert len(again.attempts) == 1
    finally:
        first.stop()
        second.stop()
    assert [r.id for r in receiver.received()] == [str(due[0].event_id)] * 2

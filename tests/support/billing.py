"""Billing from the API: buying a credit pack, and Stripe as a local stand-in (Checkout
Sessions answered on loopback, webhooks signed with a test secret)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from atelier.web.app import create_app
from tests.support.settings import make_settings

WEBHOOK_SECRET = "whsec_test_secret"


def buy(client: TestClient, headers: dict[str, str], pack: str, key: str, expect: int) -> Any:
    answer = client.post(
        f"/v1/credit-packs/{pack}/purchase", headers={**headers, "Idempotency-Key": key}
    )
    assert answer.status_code == expect, answer.text
    return answer.json()


class StripeStandIn(BaseHTTPRequestHandler):
    """Answers POST /v1/checkout/sessions like Stripe; keeps what it was sent."""

    received: list[tuple[dict[str, str], dict[str, list[str]]]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        StripeStandIn.received.append((dict(self.headers), urllib.parse.parse_qs(body)))
        answer = json.dumps(
            {
                "id": "cs_test_1",
                "object": "checkout.session",
                "url": "https://checkout.example/cs_test_1",
            }
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer.encode())

    def log_message(self, *args: Any) -> None:
        pass


@contextlib.contextmanager
def stripe_stand_in() -> Iterator[dict[str, object]]:
    """The stand-in served on loopback; yields the settings that point a studio's Stripe
    provider at it (the official library talks to it as to Stripe: nothing leaves the
    machine)."""
    server = HTTPServer(("127.0.0.1", 0), StripeStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {
            "payment_provider": "stripe",
            "stripe_secret_key": "sk_test_123",
            "stripe_webhook_secret": WEBHOOK_SECRET,
            "stripe_api_base": f"http://127.0.0.1:{server.server_port}",
        }
    finally:
        server.shutdown()


@contextlib.contextmanager
def stripe_app(tmp_path: Path, **overrides: object) -> Iterator[TestClient]:
    """An app on the Stripe provider, its API pointed at the stand-in."""
    with stripe_stand_in() as stripe:
        settings = make_settings(tmp_path, workers=0, **{**stripe, **overrides})
        with TestClient(create_app(settings)) as client:
            yield client


def signed(
    payload: dict[str, Any], at: int | None = None, secret: str = WEBHOOK_SECRET
) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    stamp = str(int(time.time()) if at is None else at)
    mac = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return body, f"t={stamp},v1={mac}"

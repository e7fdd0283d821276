"""The mail hook: how the studio sends mail without an SMTP server of its own.

`ATELIER_MAIL_HOOK` names either an http(s) URL, which receives a JSON POST
{"to", "subject", "text"}, or a command, which reads the same JSON on its standard input
(for example a script that hands it to sendmail or a provider's API)."""

from __future__ import annotations

import json
import logging
import shlex
import subprocess
import threading

import httpx

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 30


def send(hook: str, to: str, subject: str, text: str) -> None:
    """Deliver one mail through the hook; raises when the hook fails."""
    message = {"to": to, "subject": subject, "text": text}
    if hook.startswith(("http://", "https://")):
        httpx.post(hook, json=message, timeout=TIMEOUT_SECONDS).raise_for_status()
        return
    subprocess.run(
        shlex.split(hook),
        input=json.dumps(message).encode(),
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        check=True,
    )


def send_later(hook: str, to: str, subject: str, text: str) -> None:
    """Deliver in a background thread; a failure is logged, the caller goes on."""

    def deliver() -> None:
        try:
            send(hook, to, subject, text)
        except (httpx.HTTPError, OSError, subprocess.SubprocessError) as exc:
            logger.error("the mail hook failed to deliver %r to %s: %s", subject, to, exc)

    threading.Thread(target=deliver, name="mail-hook", daemon=True).start()

"""The first job after `atelier serve` starts: how long until the models are loaded, how
long the submit itself takes meanwhile, and how soon after loading the job starts.

    .venv/bin/python benchmarks/warm_start.py [--quick] [--engine NAME] [--json PATH]

For each of warm start on (the default) and off (`ATELIER_WARM_START=false`; `--quick`:
on only, with one worker process): a fresh SQLite data folder, `atelier serve` on loopback
with a fresh install's worker settings (2 worker processes, each loading every model), an
admin API key as soon as the port answers, and one job sent at once (`--engine`, default
image.compose with a short prompt: the create page's first tab). Measured from the start
of the server process: the port answering, GET /v1/warmup saying ready (its `loaded_at`),
the POST /v1/jobs call's own time, the job's `started_at` and its end. The figure the
issue asks for is started_at − loaded_at: the first job starts within 2 s of the models
being loaded. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # our tests.support first
from tests.support.servers import (  # noqa: E402
    Running,
    api_key,
    atelier_env,
    free_port,
    wait_for_http,
    wait_until,
)

JOBS = {
    "image.compose": {"prompt": "a red fox under a pine tree", "width": 512, "height": 512},
    "text.write": {"form": "haiku", "topic": "autumn rain", "candidates": 1},
    "music.compose": {"bars": 4},
}
TERMINAL = ("succeeded", "failed", "canceled")
ROOT = Path(__file__).resolve().parent.parent


def stamp(text: str | None) -> float | None:
    return None if text is None else datetime.fromisoformat(text).timestamp()


def one_start(warm: bool, engine: str, params: dict[str, Any], workers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="atelier-warm-") as folder:
        data = Path(folder)
        port = free_port()
        env = atelier_env(
            data,
            f"sqlite:///{data / 'atelier.db'}",
            warm_start=str(warm).lower(),
            workers=workers,
            assets_dir=ROOT / "atelier-data" / "assets",  # what `make setup` prepared
        )
        env.pop("ATELIER_ENGINE_MODULES")  # the studio as shipped
        args = ["serve", "--host", "127.0.0.1", "--port", str(port)]
        began = time.time()
        with Running(args, env, data / "server.log") as server:
            base = f"http://127.0.0.1:{port}"
            wait_for_http(server, base, timeout=300)
            answering = time.time() - began
            headers = {"Authorization": f"Bearer {api_key(base)}"}
            with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
                sent = time.time()
                answer = client.post("/v1/jobs", json={"engine": engine, "params": params})
                submit_s = time.time() - sent
                assert answer.status_code == 201, answer.text
                job_id = answer.json()["id"]
                states: list[str] = []

                def ended_and_ready() -> tuple[dict[str, Any], dict[str, Any]] | None:
                    warmup = client.get("/v1/warmup").json()
                    states.append(warmup["state"])
                    job = client.get(f"/v1/jobs/{job_id}").json()
                    done = job["status"] in TERMINAL and warmup["state"] == "ready"
                    return (job, warmup) if done else None

                job, warmup = wait_until(
                    ended_and_ready, 1800, interval=0.1, what="the job to end, models loaded"
                )
                seen_warming = "warming" in states
        started, ended = stamp(job["started_at"]), stamp(job["finished_at"])
        loaded = stamp(warmup["loaded_at"])
        assert started is not None and ended is not None
        return {
            "warm_start": warm,
            "engine": engine,
            "status": job["status"],
            "port_answers_s": round(answering, 2),
            "submit_call_s": round(submit_s, 3),
            "said_warming": seen_warming,
            "models_loaded_s": None if loaded is None else round(loaded - began, 2),
            "job_started_s": round(started - began, 2),
            "started_after_loaded_s": None if loaded is None else round(started - loaded, 2),
            "job_done_s": round(ended - began, 2),
            "first_job_wait_s": round(ended - sent, 2),
            "failed": warmup["failed"],
        }


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| warm start | port answers | submit call | models loaded | job started "
        "| started − loaded | job done | the sender waited |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- |\n"
    )

    def s(value: Any) -> str:
        return "—" if value is None else f"{value} s"

    return head + "".join(
        f"| {'on' if r['warm_start'] else 'off'} | {s(r['port_answers_s'])} "
        f"| {s(r['submit_call_s'])} | {s(r['models_loaded_s'])} | {s(r['job_started_s'])} "
        f"| {s(r['started_after_loaded_s'])} | {s(r['job_done_s'])} "
        f"| {s(r['first_job_wait_s'])} |\n"
        for r in rows
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="warm start on only, one worker process"
    )
    parser.add_argument("--engine", default="image.compose", choices=sorted(JOBS))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    params = JOBS[args.engine]
    workers = 1 if args.quick else 2
    rows = [
        one_start(warm, args.engine, params, workers)
        for warm in ((True,) if args.quick else (True, False))
    ]
    print(f"First `{args.engine}` job after `atelier serve` starts (seconds from the start):\n")
    print(table(rows))
    for row in rows:
        if row["failed"]:
            print(f"not loaded: {row['failed']}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()

"""A worker's resident memory after one job of every engine, and after a second round.

    nice -n 15 .venv/bin/python benchmarks/memory.py [--quick] [--rounds N] [--write-docs]
        [--json PATH]

`atelier serve` as shipped (SQLite, warm start on, one worker process, one engine
thread) on a fresh data folder; the bench account (benchmarks/common.py: no plan limit
stops it) sends one typical job of each engine in turn through the API, its files
uploaded first, and waits for it to end. The worker process's resident memory (VmRSS in
/proc, and its high-water mark VmHWM) is read when the models are loaded and after every
job. A second round of the same jobs shows whether memory keeps growing: models are
loaded once per process and shared by its jobs, so a round after the first should add
little. `--quick` runs one cheap engine once, warm start off (the test suite runs it: it
proves the script works, not the figures). Nothing here asserts: the figures, and the
bound docs/benchmarks.md states, are read from the table.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # our tests.support first
from common import DOC, Run, bench_key, bench_settings, unlimited_env, write_section  # noqa: E402
from estimate_sets import hummed, melody, photo  # noqa: E402

from atelier.studio import Studio  # noqa: E402
from tests.support.servers import (  # noqa: E402
    Running,
    atelier_env,
    free_port,
    wait_for_http,
    wait_until,
    worker_processes,
)

ROOT = Path(__file__).resolve().parent.parent
START = "<!-- memory:start -->"
END = "<!-- memory:end -->"
TERMINAL = ("succeeded", "failed", "canceled")
SHORT_TEXT = (
    "The old harbour wakes before the town. Fishing boats come in with the tide, gulls "
    "follow them, and the market opens while the streets are still dark. By nine the boats "
    "are tied up and the crews have gone home to sleep."
)
# One typical job of each engine: (engine, params, uploads as parameter → (file name, bytes)).
JOBS: list[tuple[str, dict[str, Any], dict[str, tuple[str, Any]]]] = [
    ("image.compose", {"prompt": "a red fox under a pine tree", "variants": 1}, {}),
    ("image.stylize", {"style": 3}, {"image": ("photo.png", lambda: photo(512, 512))}),
    ("image.restore", {}, {"image": ("photo.png", lambda: photo(256, 256))}),
    ("image.upscale", {"scale": 4}, {"image": ("photo.png", lambda: photo(128, 128))}),
    ("image.portrait", {"variants": 1}, {}),
    ("image.diffusion", {"prompt": "a lighthouse at dusk", "variants": 1}, {}),
    ("music.compose", {"bars": 8}, {}),
    ("music.harmonize", {}, {"melody": ("tune.mid", lambda: melody(8))}),
    ("music.continue", {"bars": 8}, {"melody": ("tune.mid", lambda: melody(4))}),
    ("music.restyle", {"style": "irish"}, {"melody": ("tune.mid", lambda: melody(8))}),
    ("music.transcribe", {}, {"audio": ("hum.wav", hummed(6.0)["audio"])}),
    ("text.write", {"form": "haiku", "topic": "autumn rain"}, {}),
    ("text.restyle", {"text": SHORT_TEXT, "style": "formal"}, {}),
    ("text.summarize", {"text": SHORT_TEXT * 3}, {}),
]
QUICK = ("music.compose",)


def memory(pid: int) -> dict[str, float]:
    """A process's resident memory now and at its highest, in MiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = round(int(value.split()[0]) / 1024, 1)
    return found


def upload(client: httpx.Client, name: str, data: bytes) -> str:
    sent = client.post("/v1/uploads", files={"file": (name, io.BytesIO(data))})
    assert sent.status_code == 201, sent.text
    return str(sent.json()["id"])


def one_job(client: httpx.Client, engine: str, params: dict[str, Any], files: dict) -> str:
    """Send the job (its files uploaded first) and wait for it to end; its status."""
    params = dict(params)
    for parameter, (name, make) in files.items():
        params[parameter] = upload(client, name, make())
    sent = client.post("/v1/jobs", json={"engine": engine, "params": params})
    if sent.status_code == 422 and "variants" in params:  # an engine without a grid
        params.pop("variants")
        sent = client.post("/v1/jobs", json={"engine": engine, "params": params})
    assert sent.status_code == 201, f"{engine}: {sent.text}"
    job_id = sent.json()["id"]

    def ended() -> dict[str, Any] | None:
        job = client.get(f"/v1/jobs/{job_id}").json()
        return job if job["status"] in TERMINAL else None

    job = wait_until(ended, 1800, interval=0.2, what=f"the {engine} job to end")
    return f"{job['status']}" + (f": {job['error']}" if job.get("error") else "")


def measure(
    jobs: list[tuple[str, dict[str, Any], dict]], rounds: int, warm: bool
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="atelier-memory-") as folder:
        data = Path(folder)
        url = f"sqlite:///{data / 'atelier.db'}"
        studio = Studio(bench_settings(data, url))
        studio.prepare()
        key = bench_key(studio)
        studio.close()
        port = free_port()
        env = {
            **atelier_env(
                data,
                url,
                workers=1,
                warm_start=str(warm).lower(),
                assets_dir=ROOT / "atelier-data" / "assets",
            ),
            **unlimited_env(),
        }
        env.pop("ATELIER_ENGINE_MODULES")  # the studio as shipped
        base = f"http://127.0.0.1:{port}"
        with Running(["serve", "--port", str(port)], env, data / "server.log") as server:
            wait_for_http(server, base, timeout=300)
            headers = {"Authorization": f"Bearer {key}"}
            with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
                wait_until(
                    lambda: client.get("/v1/warmup").json()["state"] == "ready",
                    1800,
                    interval=0.5,
                    what="the models to load",
                )
                [worker] = wait_until(
                    lambda: worker_processes(server.pid) or None, 60, what="the worker process"
                )
                rows = [
                    {
                        "round": 0,
                        "engine": "(models loaded)" if warm else "(idle)",
                        "status": "",
                        **memory(worker),
                    }
                ]
                listed = client.get("/v1/engines").json()["items"]
                unavailable = {e["name"]: e["unavailable_reason"] for e in listed}
                for turn in range(1, rounds + 1):
                    for engine, params, files in jobs:
                        if unavailable.get(engine):
                            status = f"skipped: {unavailable[engine]}"
                        else:
                            status = one_job(client, engine, params, files)
                        rows.append(
                            {"round": turn, "engine": engine, "status": status, **memory(worker)}
                        )
                        print(rows[-1], flush=True)
                server_mib = memory(server.pid)
        return {"worker": rows, "server": server_mib}


def markdown(result: dict[str, Any], run: Run) -> str:
    rows = result["worker"]
    lines = [
        run.header(),
        "Resident memory of the one worker process (MiB): *RSS* after the job, *peak* its "
        "high-water mark so far.\n",
        "| round | engine | job | RSS MiB | peak MiB |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    lines += [
        f"| {r['round']} | `{r['engine']}` | {r['status']} "
        f"| {r['VmRSS']:,.0f} | {r['VmHWM']:,.0f} |"
        for r in rows
    ]
    ends = {turn: rows_of[-1]["VmRSS"] for turn, rows_of in by_round(rows).items()}
    grown = [f"round {t}: {ends[t] - ends[t - 1]:+,.0f} MiB" for t in sorted(ends) if t - 1 in ends]
    lines.append(
        f"\nThe web process beside it: {result['server']['VmRSS']:,.0f} MiB. "
        f"Growth over a round, at its end: {', '.join(grown) or '—'}."
    )
    return "\n".join(lines)


def by_round(rows: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(row["round"], []).append(row)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="one cheap engine once, warm start off"
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    run = Run("memory.py")
    jobs = [job for job in JOBS if job[0] in QUICK] if args.quick else JOBS
    started = time.monotonic()
    result = measure(jobs, 1 if args.quick else args.rounds, warm=not args.quick)
    text = markdown(result, run)
    print(text)
    print(f"\n({time.monotonic() - started:.0f} s)")
    if args.write_docs:
        write_section(DOC, START, END, "## A worker's memory, one job of every engine", text)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

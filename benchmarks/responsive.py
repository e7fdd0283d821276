"""GET latency of `atelier serve` on SQLite while the heaviest CPU engine runs, with the
engines in threads of the server (worker_mode=threads, the old default) and in worker
processes (worker_mode=processes, the default now).

    .venv/bin/python benchmarks/responsive.py [--quick] [--size PX] [--json PATH] [--write-docs]

For each mode: a fresh SQLite data folder and `atelier serve` on loopback with a fresh
install's worker settings (2 workers, engine threads at the libraries' default: every
core), an admin API key, a small ×4 photo upscale first (it loads the network and makes
a public work for the gallery page), and `--settle` seconds' wait. Then GETs of cheap
routes go out open-loop, one every `--interval` seconds whatever the earlier ones are
doing, each in its own thread, round `GET /v1/engines`, `GET /v1/works`, `GET
/v1/jobs/{id}` and the `/gallery` page: first for `--idle` seconds with nothing running,
then for as long as a ×4 photo upscale (Real-ESRGAN x4plus: ncnn holds the GIL for a
whole block) of a `--size` px picture runs. A request's latency runs from when it was
due to be sent to its whole answer read, so a stalled server is not asked less often and
waiting for a free client thread or connection counts (no coordinated omission). Nothing
here asserts: it measures and prints (the goal: p99 under 100 ms while busy, with
processes). `--quick` (the tests' run) starts one worker, not two: each worker process
imports every engine's libraries, and the run only has to prove the script works.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # our tests.support first
from tests.support.servers import (  # noqa: E402
    Running,
    api_key,
    atelier_env,
    free_port,
    wait_for_http,
)

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- responsive:start -->", "<!-- responsive:end -->"
HEADING = "## The API while an engine runs"
MODES = ("threads", "processes")
TERMINAL = ("succeeded", "failed", "canceled")
ROUTES = ("/v1/engines", "/v1/works", "/v1/jobs/{job}", "/gallery")


def picture(width: int, height: int) -> bytes:
    """A smooth colourful PNG (a photo's kind of content, not noise)."""
    y, x = np.mgrid[0:height, 0:width]
    channels = [127 + 120 * np.sin(x / 11 + y / 17 + phase) for phase in (0.0, 2.1, 4.2)]
    buffer = io.BytesIO()
    Image.fromarray(np.stack(channels, axis=-1).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


class Client:
    """An API client of a running `atelier serve`, signed in as its admin by an API key."""

    def __init__(self, server: Running, base: str) -> None:
        self.server = server
        self.http = httpx.Client(
            base_url=base,
            headers={"Authorization": f"Bearer {api_key(base)}"},
            timeout=600.0,
            # Connections idle for less than uvicorn's 5 s keep-alive only: reusing one it is
            # closing would count as a reset.
            limits=httpx.Limits(max_connections=400, keepalive_expiry=2.0),
        )

    def upscale(self, size: int) -> str:
        upload = self.http.post(
            "/v1/uploads", files={"file": ("photo.png", picture(size, size), "image/png")}
        )
        upload.raise_for_status()
        params = {"image": upload.json()["id"], "scale": 4, "model": "photo"}
        job = self.http.post("/v1/jobs", json={"engine": "image.upscale", "params": params})
        job.raise_for_status()
        return str(job.json()["id"])

    def job(self, job_id: str) -> dict[str, Any]:
        answer = self.http.get(f"/v1/jobs/{job_id}")
        answer.raise_for_status()
        return dict(answer.json())

    def wait(self, job_id: str, until: tuple[str, ...] = TERMINAL) -> dict[str, Any]:
        while True:
            self.server.check_alive()
            job = self.job(job_id)
            if job["status"] in until or job["status"] in TERMINAL:
                return job
            time.sleep(0.05)


def measure(
    http: httpx.Client, paths: list[str], interval: float, going: Callable[[], bool]
) -> dict[str, Any]:
    """Open-loop GETs round `paths`, one due every `interval` s while `going()`; the
    milliseconds from each one's due time to its answer read, by path, and the failures."""
    times: dict[str, list[float]] = {path: [] for path in paths}
    series: list[tuple[float, str, float]] = []  # (due, s from the start; path; ms): when slow
    failures: list[str] = []
    lock = threading.Lock()

    def get(path: str, due: float) -> None:
        try:
            answer = http.get(path)
            answer.read()
            failure = "" if answer.status_code == 200 else f"{answer.status_code} {answer.text}"
        except httpx.HTTPError as exc:
            failure = repr(exc)
        elapsed = (time.perf_counter() - due) * 1000
        with lock:
            if failure:
                failures.append(f"GET {path}: {failure[:160]}")
            else:
                times[path].append(elapsed)
                series.append((round(due - began, 3), path, round(elapsed, 1)))

    sent: list[Future[None]] = []
    began = time.perf_counter()
    with ThreadPoolExecutor(512) as pool:
        index = 0
        while going():
            due = began + index * interval
            sent.append(pool.submit(get, paths[index % len(paths)], due))
            index += 1
            time.sleep(max(0.0, began + index * interval - time.perf_counter()))
        for future in sent:
            future.result()
    series.sort()
    return {
        "ms": times,
        "series": series,
        "failures": failures,
        "seconds": time.perf_counter() - began,
    }


def summary(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"n": 0, "p50": float("nan"), "p99": float("nan"), "max": float("nan")}
    cuts = statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else []
    return {
        "n": len(samples),
        "p50": cuts[49] if cuts else samples[0],
        "p99": cuts[98] if cuts else samples[0],
        "max": max(samples),
    }


def summarise(phase: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    """Per route (named by its pattern) and all together."""
    by_route = {
        route: summary(phase["ms"][path]) for route, path in zip(ROUTES, paths, strict=True)
    }
    every = [ms for path in paths for ms in phase["ms"][path]]
    return {
        "routes": by_route,
        "all": summary(every),
        "failures": phase["failures"],
        "seconds": phase["seconds"],
        "series": phase["series"],
    }


def run_mode(mode: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    data, port = folder / mode, free_port()
    env = atelier_env(
        data,
        f"sqlite:///{data / 'atelier.db'}",
        workers=1 if args.quick else 2,
        worker_mode=mode,
        engine_threads=0,
        assets_dir=ROOT / "atelier-data" / "assets",
    )
    base = f"http://127.0.0.1:{port}"
    with Running(["serve", "--port", str(port)], env, folder / f"{mode}.log") as server:
        wait_for_http(server, base, timeout=300)  # a loaded machine starts it slowly
        client = Client(server, base)
        first = client.wait(client.upscale(32))
        if first["status"] != "succeeded":
            raise RuntimeError(f"the first upscale {first['status']}: {first.get('error')}")
        work = first["work_ids"][0]
        client.http.patch(f"/v1/works/{work}", json={"visibility": "public"}).raise_for_status()

        def paths(job: str) -> list[str]:
            return [route.format(job=job) for route in ROUTES]

        # The other worker process may still be importing its engines' libraries.
        time.sleep(args.settle)
        print(f"{mode}: idle for {args.idle:.0f} s", flush=True)
        ends = time.monotonic() + args.idle
        idle_paths = paths(first["id"])
        idle = measure(client.http, idle_paths, args.interval, lambda: time.monotonic() < ends)

        # Measured from the submit, not from a "running" seen by a GET: with threads that
        # GET itself waits behind the engine, and the stalled time would be missed.
        heavy = client.upscale(args.size)
        done = threading.Event()
        outcome: dict[str, Any] = {}

        def watch() -> None:  # its own client: a stalled answer must not delay the sender
            with httpx.Client(base_url=base, headers=client.http.headers, timeout=600) as http:
                while True:
                    job = http.get(f"/v1/jobs/{heavy}").json()
                    if job["status"] in TERMINAL:
                        outcome.update(job)
                        done.set()
                        return
                    time.sleep(0.2)

        print(f"{mode}: while a ×4 photo upscale of {args.size} px runs", flush=True)
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        busy_paths = paths(heavy)
        busy = measure(client.http, busy_paths, args.interval, lambda: not done.is_set())
        if outcome["status"] != "succeeded":
            raise RuntimeError(f"the heavy upscale {outcome['status']}: {outcome.get('error')}")
        return {
            "idle": summarise(idle, idle_paths),
            "busy": summarise(busy, busy_paths),
            "upscale_seconds": busy["seconds"],
        }


def machine(load: list[float]) -> str:
    model = "?"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"Machine: {os.cpu_count()} cores, {model} ({platform.system()} {platform.release()}); "
        f"Python {platform.python_version()}. 1-minute load average at start → end: "
        f"{load[0]:.2f} → {load[1]:.2f}."
    )


def ms(value: float) -> str:
    return "–" if value != value else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def markdown(results: dict[str, Any], args: argparse.Namespace, load: list[float]) -> str:
    lines = [
        f"Run on {date.today().isoformat()}: `{results['command']}`",
        "",
        machine(load),
        "",
        f"### GET latency (ms), idle and while a ×4 photo upscale of {args.size}×{args.size} "
        f"px runs; one GET every {args.interval * 1000:.0f} ms",
        "",
        "| worker_mode | route | idle n | idle p50 | idle p99 | busy n | busy p50 "
        "| busy p99 | busy max |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for mode in MODES:
        if mode not in results["modes"]:
            continue
        r = results["modes"][mode]
        for route in (*ROUTES, "all"):
            i = r["idle"]["all"] if route == "all" else r["idle"]["routes"][route]
            b = r["busy"]["all"] if route == "all" else r["busy"]["routes"][route]
            name = "**all four**" if route == "all" else f"`{route}`"
            lines.append(
                f"| {mode} | {name} | {i['n']} | {ms(i['p50'])} | {ms(i['p99'])} | {b['n']} "
                f"| {ms(b['p50'])} | {ms(b['p99'])} | {ms(b['max'])} |"
            )
    lines.append("")
    lines.append(
        "The upscale took "
        + "; ".join(
            f"{results['modes'][m]['upscale_seconds']:.1f} s with {m}"
            for m in MODES
            if m in results["modes"]
        )
        + ". Failed requests: "
        + ", ".join(
            f"{m} {len(results['modes'][m]['idle']['failures'])} idle / "
            f"{len(results['modes'][m]['busy']['failures'])} busy"
            for m in MODES
            if m in results["modes"]
        )
        + "."
    )
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Put `text` between this script's markers in docs/benchmarks.md (the prose around
    them is kept); a section not there yet is added at the end."""
    page = DOC.read_text()
    if START in page and END in page:
        head, rest = page.split(START, 1)
        page = f"{head}{START}\n{text}\n{END}{rest.split(END, 1)[1]}"
    else:
        page = f"{page.rstrip()}\n\n{HEADING}\n\n{START}\n{text}\n{END}\n"
    DOC.write_text(page)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="one worker, a 64 px upscale, 2 s idle"
    )
    parser.add_argument("--size", type=int, default=None, help="the upscale's input (px)")
    parser.add_argument("--idle", type=float, default=None, help="seconds measured idle")
    parser.add_argument(
        "--settle", type=float, default=20.0, help="seconds to wait before the idle figures"
    )
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between GETs")
    parser.add_argument("--only", choices=MODES, help="one worker_mode")
    parser.add_argument("--json", type=Path, help="write the raw figures here")
    parser.add_argument("--write-docs", action="store_true", help=f"figures into {DOC.name}")
    args = parser.parse_args()
    args.size = args.size or (64 if args.quick else 160)
    args.idle = args.idle or (2.0 if args.quick else 30.0)
    load = [os.getloadavg()[0]]
    print(f"load average at start: {load[0]:.2f} ({os.cpu_count()} cores)", flush=True)
    results: dict[str, Any] = {
        "command": " ".join([".venv/bin/python", "benchmarks/responsive.py", *sys.argv[1:]]),
        "modes": {},
    }
    with tempfile.TemporaryDirectory(prefix="atelier-responsive-") as folder:
        for mode in (args.only,) if args.only else MODES:
            results["modes"][mode] = run_mode(mode, args, Path(folder))
    load.append(os.getloadavg()[0])
    text = markdown(results, args, load)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if args.write_docs:
        write_section(text)


if __name__ == "__main__":
    main()

"""Text model speed: through the API against llama-cpp-python called directly.

    .venv/bin/python benchmarks/text.py [--runs N] [--threads T] [--max-tokens M] [--json PATH]
                                        [--quick]   (smoke run: one run of 8 tokens)

1. Direct: `llama_cpp.Llama` on the packaged GGUF (same context size, threads and
   `swa_full` as the engine), `create_completion(stream=True)` on exactly the prompt that
   `text.write` builds (a short story brief) with the engine's sampling settings and seed,
   from an empty cache each run. Time to first token, generated tokens per second (after
   the first token), prompt tokens per second.
2. Through the API: `atelier serve` in a subprocess (fresh SQLite data folder, one worker
   thread, ATELIER_ENGINE_THREADS=T), an API key; per run POST /v1/jobs (text.write, one
   draft, same seed), follow the job's server-sent events, GET the work's file. Time to
   first token = POST until the first `progress` event that carries written text; tokens
   per second = the tokens the engine reports over (done − first text); total = POST until
   the file is back. Same tokens as the direct run (same prompt, seed and settings).
3. Memory per worker: the serve process' resident memory (VmRSS) before the first text
   job and after the runs (text model and sentence-embedding model loaded), and what
   loading the GGUF adds to this process.

Warm-up: one run of each first (loads the models). Medians over N runs. It measures and
prints; nothing fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from atelier.engines.base import EngineConfig
from atelier.engines.text import write
from atelier.engines.text.runtime import PACKAGED_GGUF, usable_cpus
from atelier.studio import Studio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PASSWORD, bench_key, bench_settings, unlimited_env  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "atelier-data" / "assets"
PARAMS = {
    "form": "story",
    "topic": "a lighthouse keeper who finds a message in a bottle",
    "keywords": ["bottle"],
    "length": "medium",
    "candidates": 1,
}
SEED = 5


def rss_mib(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def direct(threads: int, max_tokens: int, runs: int) -> dict[str, Any]:
    from llama_cpp import Llama

    params = write.WriteParams.model_validate({**PARAMS, "max_tokens": max_tokens})
    engine = write.Write(EngineConfig(assets_dir=ASSETS, threads=threads))
    prompt = write.prompts(params)[0]
    sampling = engine.sampling(params, max_tokens, ["###", "\nTopic:", "\n\n\n"], SEED)
    before = rss_mib()
    llm = Llama(
        model_path=str(ASSETS / PACKAGED_GGUF),
        n_ctx=4096,
        n_threads=threads,
        n_threads_batch=threads,
        swa_full=True,
        verbose=False,
    )
    loaded = rss_mib()
    tokens = llm.tokenize(prompt.encode(), add_bos=True)
    results = []
    for _ in range(runs + 1):
        llm.reset()
        started = time.perf_counter()
        first, count = 0.0, 0
        for chunk in llm.create_completion(
            tokens,
            max_tokens=sampling.max_tokens,
            temperature=sampling.temperature,
            top_p=sampling.top_p,
            top_k=sampling.top_k,
            min_p=sampling.min_p,
            repeat_penalty=sampling.repeat_penalty,
            stop=list(sampling.stop),
            seed=sampling.seed,
            stream=True,
        ):
            count += 1
            if chunk["choices"][0]["text"] and not first:  # type: ignore[index]
                first = time.perf_counter() - started
        total = time.perf_counter() - started
        results.append((first, count, total))
    results = results[1:]  # the first run warms up
    return {
        "prompt_tokens": len(tokens),
        "tokens": statistics.median(r[1] for r in results),
        "ttft_s": statistics.median(r[0] for r in results),
        "prompt_tokens_per_s": statistics.median(len(tokens) / r[0] for r in results),
        "tokens_per_s": statistics.median((r[1] - 1) / (r[2] - r[0]) for r in results),
        "total_s": statistics.median(r[2] for r in results),
        "model_load_mib": round(loaded - before, 1),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def through_api(threads: int, max_tokens: int, runs: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-text-"))
    port = free_port()
    env = {
        **os.environ,
        "ATELIER_DATA_DIR": str(folder),
        "ATELIER_ASSETS_DIR": str(ASSETS),
        "ATELIER_WORKERS": "1",
        "ATELIER_ENGINE_THREADS": str(threads),
        "ATELIER_ADMIN_PASSWORD": PASSWORD,
        **unlimited_env(),
    }
    studio = Studio(bench_settings(folder, None, assets_dir=ASSETS))
    studio.prepare()
    key = bench_key(studio)  # jobs as the bench account, not the admin
    studio.close()
    atelier = str(Path(sys.executable).parent / "atelier")
    server = subprocess.Popen(
        [atelier, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {key}"}
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            for _ in range(200):
                try:
                    client.get("/v1/engines")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            idle = rss_mib(server.pid)
            results = [job(client, max_tokens) for _ in range(runs + 1)][1:]
            loaded = rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(30)
    return {
        "tokens": statistics.median(r["tokens"] for r in results),
        "ttft_s": statistics.median(r["ttft"] for r in results),
        "tokens_per_s": statistics.median(r["tokens"] / (r["done"] - r["ttft"]) for r in results),
        "engine_tokens_per_s": statistics.median(r["engine_rate"] for r in results),
        "total_s": statistics.median(r["total"] for r in results),
        "worker_rss_idle_mib": round(idle, 1),
        "worker_rss_loaded_mib": round(loaded, 1),
    }


def job(client: httpx.Client, max_tokens: int) -> dict[str, float]:
    started = time.perf_counter()
    body = {"engine": "text.write", "params": {**PARAMS, "max_tokens": max_tokens}, "seed": SEED}
    created = client.post("/v1/jobs", json=body)
    created.raise_for_status()
    job_id = created.json()["id"]
    ttft = done = 0.0
    with client.stream("GET", f"/v1/jobs/{job_id}/events") as events:
        name = ""
        for line in events.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                message = data.get("message") or ""
                if (
                    name == "progress"
                    and message
                    and not ttft
                    and not message.startswith(("Reading", "Writing", "Draft"))
                ):
                    ttft = time.perf_counter() - started
                if name in ("done", "failed", "canceled"):
                    done = time.perf_counter() - started
                    if name != "done":
                        raise RuntimeError(f"job {name}: {data}")
                    work_id = data["work_ids"][0]
    work = client.get(f"/v1/works/{work_id}").json()
    client.get(work["url"]).raise_for_status()
    total = time.perf_counter() - started
    meta = work["meta"]
    return {
        "ttft": ttft or done,
        "done": done,
        "total": total,
        "tokens": meta["tokens"],
        "engine_rate": meta["tokens_per_second"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=usable_cpus())
    parser.add_argument("--max-tokens", type=int, default=160)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 1 run, 8 tokens")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.max_tokens = 1, 8
    if not (ASSETS / PACKAGED_GGUF).is_file():
        sys.exit("the GGUF is not assembled: run `make setup` (or `atelier prepare`)")
    print(f"load average at start: {os.getloadavg()[0]:.2f}; threads {args.threads}")
    report: dict[str, Any] = {"threads": args.threads, "runs": args.runs}
    report["direct"] = direct(args.threads, args.max_tokens, args.runs)
    report["api"] = through_api(args.threads, args.max_tokens, args.runs)
    report["ratio_tokens_per_s"] = round(
        report["api"]["tokens_per_s"] / report["direct"]["tokens_per_s"], 3
    )
    report["ratio_engine_tokens_per_s"] = round(
        report["api"]["engine_tokens_per_s"] / report["direct"]["tokens_per_s"], 3
    )
    report["load_average_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

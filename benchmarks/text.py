"""Text model speed: through the API against llama-cpp-python called directly.

    .venv/bin/python benchmarks/text.py [--runs N] [--threads T] [--max-tokens M]
                                        [--candidates C] [--json PATH]
                                        [--quick]   (smoke run: one run of 32 tokens,
                                                     reranking 2 drafts, no warm-up)

Both sides do the same work: exactly the prompt that `text.write` builds (a short story
brief), one draft, the engine's sampling settings and seed, from an empty cache each run.

1. Direct: `llama_cpp.Llama` on the packaged GGUF (same context size, threads and
   `swa_full` as the engine), `create_completion(stream=True)`.
2. Through the API: `atelier serve` in a subprocess (fresh SQLite data folder, one worker
   thread, ATELIER_ENGINE_THREADS=T), an API key; per run POST /v1/jobs (text.write, one
   draft), follow the job's server-sent events, GET the work's file.

Direct and API runs alternate (after one warm-up each, which loads the models; not with
`--quick`, whose one run loads them), so a busy machine slows both alike. For each: time
to first token (API: from the POST to the first event carrying written text), tokens per
second while writing (after the first token, up to the last: the same span on both sides;
through the API the first draft's, as a draft that breaks the brief's promises is
redrawn), total time. Then reranking on its own: jobs
with `candidates` drafts (tokens of every draft over the whole job). Memory: the serve
process' resident memory (VmRSS) idle, after the one-draft jobs and after the reranking
jobs (text model and sentence-embedding model loaded), and what loading the GGUF adds to
this process. Medians; it measures and prints, nothing fails on a slow machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
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


class Direct:
    """llama-cpp-python on the packaged GGUF, set up as the engine sets it up."""

    def __init__(self, threads: int, max_tokens: int) -> None:
        from llama_cpp import Llama

        params = write.WriteParams.model_validate({**PARAMS, "max_tokens": max_tokens})
        engine = write.Write(EngineConfig(assets_dir=ASSETS, threads=threads))
        prompt = write.prompts(params)[0]
        self.sampling = engine.sampling(params, max_tokens, ["###", "\nTopic:", "\n\n\n"], SEED)
        before = rss_mib()
        self.llm = Llama(
            model_path=str(ASSETS / PACKAGED_GGUF),
            n_ctx=4096,
            n_threads=threads,
            n_threads_batch=threads,
            swa_full=True,
            verbose=False,
        )
        self.load_mib = round(rss_mib() - before, 1)
        self.tokens = self.llm.tokenize(prompt.encode(), add_bos=True)

    def run(self) -> dict[str, float]:
        """One completion from an empty cache: first token, last token, tokens."""
        sampling = self.sampling
        self.llm.reset()
        started = time.perf_counter()
        first = last = 0.0
        count = 0
        for chunk in self.llm.create_completion(
            self.tokens,
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
            if chunk["choices"][0]["text"]:  # type: ignore[index]
                last = time.perf_counter() - started
                first = first or last
        return {
            "ttft": first,
            "last": last,
            "tokens": count,
            "total": time.perf_counter() - started,
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(threads: int, warm_start: bool) -> Iterator[tuple[httpx.Client, int]]:
    """`atelier serve` on a fresh data folder, one worker thread; an API client for it.
    Without `warm_start` its worker loads the text models at the first job, and only them."""
    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-text-"))
    port = free_port()
    env = {
        **os.environ,
        "ATELIER_DATA_DIR": str(folder),
        "ATELIER_ASSETS_DIR": str(ASSETS),
        "ATELIER_WORKERS": "1",
        "ATELIER_WARM_START": str(warm_start).lower(),
        "ATELIER_ENGINE_THREADS": str(threads),
        "ATELIER_ADMIN_PASSWORD": PASSWORD,
        **unlimited_env(),
    }
    studio = Studio(bench_settings(folder, None, assets_dir=ASSETS))
    studio.prepare()
    key = bench_key(studio)  # jobs as the bench account, not the admin
    studio.close()
    atelier = str(Path(sys.executable).parent / "atelier")
    process = subprocess.Popen(
        [atelier, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    headers = {"Authorization": f"Bearer {key}"}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=600) as c:
            for _ in range(300):
                try:
                    c.get("/v1/engines")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            yield c, process.pid
    finally:
        process.terminate()
        process.wait(30)


def job(client: httpx.Client, max_tokens: int, candidates: int = 1) -> dict[str, float]:
    """One text.write job: POST, follow its events, fetch its file. Times from the POST:
    first and last event carrying written text, the `done` event, the file back."""
    started = time.perf_counter()
    params = {**PARAMS, "max_tokens": max_tokens, "candidates": candidates}
    created = client.post("/v1/jobs", json={"engine": "text.write", "params": params, "seed": SEED})
    created.raise_for_status()
    job_id = created.json()["id"]
    first = last = done = 0.0
    with client.stream("GET", f"/v1/jobs/{job_id}/events") as events:
        name = ""
        for line in events.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
                message = data.get("message") or ""
                if name == "progress" and writing(message) and not message.startswith("Redraw"):
                    last = time.perf_counter() - started  # the first draft's text so far
                    first = first or last
                if name in ("done", "failed", "canceled"):
                    done = time.perf_counter() - started
                    if name != "done":
                        raise RuntimeError(f"job {name}: {data}")
                    work_id = data["work_ids"][0]
    work = client.get(f"/v1/works/{work_id}").json()
    client.get(work["url"]).raise_for_status()
    meta = work["meta"]
    return {
        "ttft": first or done,
        "last": last or done,
        "done": done,
        "total": time.perf_counter() - started,
        "tokens": meta["drafts"][0].get("tokens", 0),  # the first draft's (0: not recorded)
        "tokens_all_drafts": meta["tokens"],
        "drafts": len(meta["drafts"]),
    }


def writing(message: str) -> bool:
    """A progress message with written text in it (not a step's name or a bare label)."""
    text = message.split(": ", 1)[1] if message.startswith(("Draft", "Redraw")) else message
    return bool(text.strip()) and not message.startswith(("Reading", "Writing"))


def rate(run: dict[str, float]) -> float:
    """Tokens a second while writing: after the first token, up to the last (all of them
    over the time to the last when they came in one event: a short draft through the API)."""
    span = run["last"] - run["ttft"]
    return (run["tokens"] - 1) / span if span > 0 else run["tokens"] / run["last"]


def median(runs: list[dict[str, float]], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 3)


def measure(
    threads: int, max_tokens: int, runs: int, candidates: int, warm: bool = True
) -> dict[str, Any]:
    """Direct and API runs interleaved (direct, API, direct, API, …) so that a busy
    machine slows both alike; then the reranking jobs (`candidates` drafts) on their own."""
    direct = Direct(threads, max_tokens)
    with server(threads, warm) as (client, pid):
        idle = rss_mib(pid)
        if warm:
            direct.run(), job(client, max_tokens)  # warm-up: loads the models
        pairs = [(direct.run(), job(client, max_tokens)) for _ in range(runs)]
        one_job = rss_mib(pid)
        reranked = [job(client, max_tokens, candidates) for _ in range(max(1, runs // 2))]
        loaded = rss_mib(pid)
    ours, api = [d for d, _ in pairs], [a for _, a in pairs]
    for d, a in pairs:  # same prompt, seed and sampler: the same first draft
        a["tokens"] = a["tokens"] or d["tokens"]
    for run in (*ours, *api):
        run["tokens_per_s"] = rate(run)
    for run in reranked:
        run["tokens_per_s"] = run["tokens_all_drafts"] / run["done"]
    return {
        "prompt_tokens": len(direct.tokens),
        "direct": {
            "tokens": median(ours, "tokens"),
            "ttft_s": median(ours, "ttft"),
            "tokens_per_s": median(ours, "tokens_per_s"),
            "total_s": median(ours, "total"),
            "model_load_mib": direct.load_mib,
        },
        "api": {
            "tokens": median(api, "tokens"),
            "drafts": median(api, "drafts"),
            "ttft_s": median(api, "ttft"),
            "tokens_per_s": median(api, "tokens_per_s"),
            "done_s": median(api, "done"),
            "total_s": median(api, "total"),
            "worker_rss_idle_mib": round(idle, 1),
            "worker_rss_after_text_jobs_mib": round(one_job, 1),
        },
        "api_reranking": {
            "candidates": candidates,
            "drafts": median(reranked, "drafts"),
            "tokens": median(reranked, "tokens_all_drafts"),
            "total_s": median(reranked, "total"),
            "tokens_per_s_over_the_job": median(reranked, "tokens_per_s"),
            "worker_rss_after_mib": round(loaded, 1),
        },
        "ratio_tokens_per_s": round(
            statistics.median(a["tokens_per_s"] / d["tokens_per_s"] for d, a in pairs), 3
        ),
        "ttft_difference_s": round(statistics.median(a["ttft"] - d["ttft"] for d, a in pairs), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=usable_cpus())
    parser.add_argument("--max-tokens", type=int, default=160)
    parser.add_argument("--candidates", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: 1 run, 32 tokens, 2 candidates, no warm-up (nor warm start)",
    )
    args = parser.parse_args()
    if args.quick:
        args.runs, args.max_tokens, args.candidates = 1, 32, 2
    if not (ASSETS / PACKAGED_GGUF).is_file():
        sys.exit("the GGUF is not assembled: run `make setup` (or `atelier prepare`)")
    report: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpus": os.cpu_count(),
        "load_average_start": round(os.getloadavg()[0], 2),
        "threads": args.threads,
        "runs": args.runs,
    }
    print(f"load average at start: {report['load_average_start']}; threads {args.threads}")
    report |= measure(
        args.threads, args.max_tokens, args.runs, args.candidates, warm=not args.quick
    )
    report["load_average_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

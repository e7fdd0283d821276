"""Every benchmark's quick run, as a user runs it (`--quick`), and what its figures must show.

The scripts are shared out between a few test files (`SHARES`), because pytest-xdist
gives each test file to one process: in one file they all ran in one process, and no run
of the suite could take less than all of them together. No timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
BENCHMARKS = ROOT / "benchmarks"
LIBRARY = {"common.py", "estimate_sets.py"}  # shared by the scripts, not one itself


def spine(out: dict[str, Any], _: str) -> None:
    assert {row["database"] for row in out["latency"]} == {"sqlite", "postgresql"}
    assert all(row["total"]["p50"] > 0 for row in out["latency"])
    assert all(row["jobs_per_s"] > 0 for row in out["throughput"])
    assert out["http"]["direct_ms"] > 0


def image(out: dict[str, Any], _: str) -> None:
    assert out and all(min(case["engine"]) > 0 for case in out.values())
    assert any(case.get("raw") and case.get("studio") for case in out.values())


def music(out: dict[str, Any], _: str) -> None:
    assert out["engines"] and out["rendering"]


def text(out: dict[str, Any], _: str) -> None:
    assert out["direct"]["tokens_per_s"] > 0 and out["api"]["tokens_per_s"] > 0


def hostile(out: list[dict[str, Any]], _: str) -> None:
    assert [row["case"] for row in out] == ["abc-256-bars", "abc-300-bars", "abc-30kb"]


def responsive(out: dict[str, Any], _: str) -> None:
    assert set(out["modes"]) == {"threads", "processes"}
    assert all(mode for mode in out["modes"].values())


def training(out: dict[str, Any], _: str) -> None:
    assert out and all(out.values())


def estimates(out: list[dict[str, Any]], _: str) -> None:
    assert [row["engine"] for row in out] == ["image.stylize", "music.compose"]
    assert all(row["reserved"] >= 0.1 and row["settled"] >= 0.1 for row in out)  # the least
    assert all(0 < row["charged"] <= row["reserved"] and row["wall_s"] > 0 for row in out)
    assert all(row["cpu_s"] > 0 and row["cores"] >= 1 and row["load"] >= 0 for row in out)
    assert all(row["settled_wall"] >= 0.1 for row in out)
    assert out[0]["drafts"] == 0 and out[1]["drafts"] >= 1  # a melody is drawn, and checked


def warm_start(out: list[dict[str, Any]], _: str) -> None:
    [run] = out
    assert run["status"] == "succeeded" and run["said_warming"]
    assert run["started_after_loaded_s"] is not None


def samples(out: dict[str, Any], _: str) -> None:
    kinds = {row["kind"]: row for row in out["kinds"]}
    assert set(kinds) == {"reference", "preset", "finish", "instrument", "music-style"}
    assert all(row["total_s"] > 0 and row["median_bytes"] > 1000 for row in kinds.values())


def load(out: list[dict[str, Any]], _: str) -> None:
    assert [run["database"] for run in out] == ["sqlite", "postgresql"]
    for run in out:
        assert run["routes"]["POST /v1/auth/login"]["requests"] == run["users"] == 5
        assert run["seconds"] > 0 and run["requests_per_s"] > 0
        assert run["jobs_lost"] == run["jobs"] - run["job_ends"].get("succeeded", 0)


def memory(out: dict[str, Any], _: str) -> None:
    [idle, job] = out["worker"]
    assert job["engine"] == "music.compose" and job["status"] == "succeeded"
    assert 0 < idle["VmRSS"] <= job["VmHWM"] and out["server"]["VmRSS"] > 0


def contention(out: dict[str, Any], _: str) -> None:
    assert out["engine"] == "music.compose"
    assert [row["variant"] for row in out["rows"]] == ["defaults", "GOMP_SPINCOUNT=1000"]
    for row in out["rows"]:
        assert all(row[k]["cpu_s"] > 0 and row[k]["wall_s"] > 0 for k in ("as_it_is", "busy"))


def screen(out: list[dict[str, Any]], _: str) -> None:
    assert [row["text"] for row in out] == ["short, en", "short, zh"]
    assert all(min(row["ms"].values()) > 0 and row["tokens"] > 2 for row in out)
    assert all(row["meaning_cosine"] > 0.9998 for row in out)


def printed(*lines: str) -> Callable[[Any, str], None]:
    def check(_: Any, stdout: str) -> None:
        for line in lines:
            assert line in stdout, f"{line!r} not printed:\n{stdout[-3000:]}"

    return check


# script: (arguments after the script, writes --json, what its figures must show)
RUNS: dict[str, tuple[list[str], bool, Callable[[Any, str], None]]] = {
    "spine.py": (["--quick"], True, spine),
    "image.py": (["--quick"], True, image),
    "music.py": (["--quick"], True, music),
    "text.py": (["--quick"], True, text),
    "hostile_uploads.py": (["--quick"], True, hostile),
    "training.py": (["--quick"], True, training),
    "samples.py": (["--quick"], True, samples),
    "responsive.py": (["--quick", "--settle", "2"], True, responsive),
    "provenance.py": (["--quick"], False, printed("| JPEG 75 |", "sealing a 512×512 PNG")),
    "audio_watermark.py": (
        ["--quick"],
        False,
        printed("| MP3 again at 64 kbit/s |", "Unmarked audio read as marked: 0 / 3"),
    ),
    "eval_image.py": (["--quick"], False, printed("| set B (8 images) |", "| tuning: 2 photos")),
    "restore_quality.py": (
        ["--quick"],
        False,
        printed("| damage | method | PSNR | SSIM |", "| `image.restore` |"),
    ),
    "compose.py": (["speed", "--quick"], False, printed("512×512: median")),
    "estimates.py": (["--quick"], True, estimates),
    "warm_start.py": (["--quick"], True, warm_start),
    "load.py": (["--quick"], True, load),
    "memory.py": (["--quick"], True, memory),
    "contention.py": (["--quick"], True, contention),
    "screen.py": (["--quick"], True, screen),
}

# The test file that runs each script (tests/test_benchmarks_quick_<share>.py), so that
# the shares take about as long as one another.
SHARES: dict[str, list[str]] = {
    "servers": ["hostile_uploads.py", "load.py", "responsive.py", "spine.py"],
    "models": ["contention.py", "memory.py", "text.py", "training.py", "warm_start.py"],
    "media": [
        "audio_watermark.py",
        "compose.py",
        "estimates.py",
        "eval_image.py",
        "image.py",
        "music.py",
        "provenance.py",
        "restore_quality.py",
        "samples.py",
        "screen.py",
    ],
}


def run_quick(script: str, scratch: Path) -> None:
    """Run `script`'s quick mode in a subprocess and check what it wrote."""
    arguments, writes_json, check = RUNS[script]
    figures = scratch / "figures.json"
    command = [sys.executable, str(BENCHMARKS / script), *arguments]
    if writes_json:
        command += ["--json", str(figures)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    check(json.loads(figures.read_text()) if writes_json else None, done.stdout)

"""Hostile uploads against `atelier serve` on loopback: what each costs the server.

    .venv/bin/python benchmarks/hostile_uploads.py [--only NAME] [--timeout S] [--json PATH]
                                                   [--quick]  (the ABC cases only)

Cases (issue 12, "Denial of service and input handling"):
- `abc-256-bars`: a tune at the bar limit, which must be taken (it is first, so its time
  includes starting the music reader's helper process);
- `mxl-bomb`: a ~200 kB compressed MusicXML whose score inflates to ~200 MB;
- `abc-300-bars`: 3 kB of ABC, 300 bars (the limit is 256);
- `abc-30kb`: 30 kB of ABC, about 3,000 bars;
- `anonymous-100mb`: 100 MB of multipart body sent with no credentials.

For each: the status, the seconds until the answer, the peak memory of the server's whole
process tree (the server and every process it started, RSS sampled every 20 ms) above what
it held before the request, and the bytes the server process read (sockets included) and
wrote (a spooled upload) meanwhile. The server runs with a fresh SQLite data folder and no
workers. Nothing here asserts: it measures and prints.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
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
)

SCORE_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<score-partwise version="4.0">
<part-list><score-part id="P1"><part-name>Melody</part-name></score-part></part-list>
<part id="P1"><measure number="1">
<attributes><divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type></time></attributes>
<note><pitch><step>C</step><octave>4</octave></pitch><duration>4</duration></note>
</measure>"""
SCORE_TAIL = "</part></score-partwise>\n"


def mxl_bomb(inflated_bytes: int = 200_000_000) -> bytes:
    """A well-formed .mxl whose one-bar score carries `inflated_bytes` of comment."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container><rootfiles>'
            '<rootfile full-path="score.xml"/></rootfiles></container>',
        )
        with archive.open("score.xml", "w", force_zip64=True) as score:
            score.write(SCORE_HEAD.encode())
            score.write(b"<!--")
            block = b" " * 1_000_000
            for _ in range(inflated_bytes // len(block)):
                score.write(block)
            score.write(b"-->")
            score.write(SCORE_TAIL.encode())
    return buffer.getvalue()


def abc_tune(bars: int) -> bytes:
    """A plain reel of `bars` bars of eighth notes in D."""
    line = "|".join(["DFAd fdAF", "GBdg fdAF"] * 2)
    body = "|".join([line] * (bars // 4 + 1)).split("|")[:bars]
    text = "X:1\nT:Long reel\nM:4/4\nL:1/8\nK:D\n"
    text += "\n".join("|".join(body[i : i + 4]) + "|" for i in range(0, bars, 4))
    return (text + "\n").encode()


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text() if entry.isdigit() else ""
        except OSError:
            continue
        if stat:
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants."""
    total = 0
    for member in tree(pid):
        try:
            total += int(Path(f"/proc/{member}/statm").read_text().split()[1])
        except OSError:
            continue
    return total * os.sysconf("SC_PAGE_SIZE")


def server_io(pid: int) -> dict[str, int]:
    """Bytes the server process has read (sockets included) and written (files spooled)."""
    fields = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
    return {"read": int(fields["rchar"]), "written": int(fields["wchar"])}


class PeakMemory:
    """Samples the tree's RSS in a thread; `peak` is the highest seen."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.running = pid, 0, True
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, tree_rss(self.pid))
            time.sleep(0.02)

    def __enter__(self) -> PeakMemory:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.running = False
        self.thread.join()


def big_body(total: int) -> Iterator[bytes]:
    boundary = b"----bench"
    yield (
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
    )
    yield b"Content-Type: application/octet-stream\r\n\r\n"
    chunk = b"\0" * 1_048_576
    for _ in range(total // len(chunk)):
        yield chunk
    yield b"\r\n--" + boundary + b"--\r\n"


def case(server: Running, name: str, send: Any) -> dict[str, Any]:
    time.sleep(1.0)  # let the tree settle (a previous case's children exit)
    before = tree_rss(server.pid)
    io_before = server_io(server.pid)
    with PeakMemory(server.pid) as memory:
        started = time.monotonic()
        try:
            response = send()
            status, detail = response.status_code, response.text[:160]
        except httpx.HTTPError as exc:
            status, detail = 0, f"{type(exc).__name__}: {exc}"
        seconds = time.monotonic() - started
    io_after = server_io(server.pid)
    row = {
        "case": name,
        "status": status,
        "seconds": round(seconds, 2),
        "peak_mb_above_idle": round((memory.peak - before) / 1e6),
        "idle_mb": round(before / 1e6),
        "server_read_mb": round((io_after["read"] - io_before["read"]) / 1e6, 1),
        "server_wrote_mb": round((io_after["written"] - io_before["written"]) / 1e6, 1),
        "detail": detail,
    }
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="run cases whose name contains this")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
    parser.add_argument("--json", type=Path, help="write the rows here")
    parser.add_argument("--quick", action="store_true", help="a smoke run: the ABC cases")
    args = parser.parse_args()
    if args.quick:
        args.only = args.only or "abc"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        env = atelier_env(data, f"sqlite:///{data}/atelier.db", workers=0)
        with Running(["serve", "--port", str(port)], env, Path(folder) / "serve.log") as server:
            wait_for_http(server, base, timeout=300)  # a loaded machine starts it slowly
            headers = {"Authorization": f"Bearer {api_key(base)}"}
            client = httpx.Client(base_url=base, timeout=args.timeout)

            def upload(name: str, data: bytes) -> Any:
                return lambda: client.post(
                    "/v1/uploads", files={"file": (name, data)}, headers=headers
                )

            cases = {
                "abc-256-bars": upload("reel.abc", abc_tune(256)),
                "mxl-bomb": upload("bomb.mxl", mxl_bomb()),
                "abc-300-bars": upload("reel.abc", abc_tune(300)),
                "abc-30kb": upload("reel.abc", abc_tune(3000)),
                "anonymous-100mb": lambda: client.post(
                    "/v1/uploads",
                    content=big_body(100 * 1_048_576),
                    headers={"Content-Type": "multipart/form-data; boundary=----bench"},
                ),
            }
            for name, send in cases.items():
                if args.only in name:
                    rows.append(case(server, name, send))
            print(f"server alive after the cases: {server.alive()}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()

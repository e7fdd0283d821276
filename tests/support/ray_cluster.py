"""A real Ray cluster on this machine for the tests: a head and more nodes, each `ray start`
with one CPU and a small object store, every process it started found and killed by id
on the way out (never `ray stop`, which stops every Ray process on the machine).

Each node's raylet is found by its node-manager port (given to `ray start`); the Ray
worker processes it runs are its children (beside its agents, `ray::DashboardAgent` and
`ray::RuntimeEnvAgent`), titled `ray::IDLE` while idle and `ray::NAME` while they run
the task NAME."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.servers import free_port, process_alive, wait_until

RAY = Path(sys.executable).parent / "ray"
MEMORY = 2 * 1024**3  # each node's `memory` resource: engines ask for 0.5 to 2 GiB
OBJECT_STORE = 80 * 1000**2  # bytes; Ray's least is 75 MB
JOB_TASK = b"ray::reporting"  # the title of a Ray worker running a job (remote.reporting)
# Quick node-death detection (defaults: 5 missed checks 3 s apart).
SYSTEM_CONFIG = '{"health_check_period_ms": 1000, "health_check_failure_threshold": 3}'


def _processes() -> dict[int, tuple[int, bytes]]:
    """Every process: its parent and its command line (or title)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if state != "Z":
            found[int(entry.name)] = (int(parent), command)
    return found


def _descendants(root: int, table: dict[int, tuple[int, bytes]]) -> list[int]:
    children = [pid for pid, (parent, _) in table.items() if parent == root]
    return [pid for child in children for pid in [child, *_descendants(child, table)]]


@dataclass
class Node:
    port: int  # its raylet's node-manager port

    def raylet(self) -> int | None:
        mark = f"--node_manager_port={self.port}".encode()
        for pid, (_, command) in _processes().items():
            if b"raylet" in command.split(b"\0")[0] and mark in command:
                return pid
        return None

    def running_job(self) -> bool:
        """Whether one of this node's Ray workers is running a job now."""
        raylet = self.raylet()
        if raylet is None:
            return False
        table = _processes()
        return any(
            table[pid][1].split(b"\0")[0].strip() == JOB_TASK for pid in _descendants(raylet, table)
        )


@dataclass
class Cluster:
    """`ray start` nodes sharing one temp folder; `address` is the head's GCS."""

    folder: Path
    env: dict[str, str]
    address: str = ""
    nodes: list[Node] = field(default_factory=list)

    def start_head(self) -> Node:
        port = free_port()
        self.address = f"127.0.0.1:{port}"
        return self._start(
            ["--head", f"--port={port}", f"--temp-dir={self.folder}", "--include-dashboard=false"]
            + [f"--system-config={SYSTEM_CONFIG}"]
        )

    def add_node(self) -> Node:
        return self._start([f"--address={self.address}"])

    def _start(self, args: list[str]) -> Node:
        node = Node(free_port())
        command = [
            str(RAY),
            "start",
            *args,
            "--node-ip-address=127.0.0.1",
            f"--node-manager-port={node.port}",
            "--num-cpus=1",
            "--num-gpus=0",
            f"--memory={MEMORY}",
            f"--object-store-memory={OBJECT_STORE}",
            "--disable-usage-stats",
        ]
        self.nodes.append(node)
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"ray start failed:\n{done.stdout}\n{done.stderr}"
        wait_until(node.raylet, 60, 0.2, f"the raylet on port {node.port}")
        return node

    def kill(self, node: Node) -> None:
        """SIGKILL a node's raylet and every process under it, as a machine that dies."""
        raylet = node.raylet()
        assert raylet is not None, "the node is not running"
        doomed = [raylet, *_descendants(raylet, _processes())]
        for pid in doomed:
            _signal(pid, signal.SIGKILL)
        wait_until(lambda: not any(process_alive(p) for p in doomed), 30, 0.1, "the node to die")

    def stop(self) -> None:
        """Kill every process this cluster started: those whose command line names its
        folder, its session or a node's port, and everything under them."""
        table = _processes()
        marks = [str(self.folder).encode()] + [
            f"--node_manager_port={n.port}".encode() for n in self.nodes
        ]
        session = self.folder / "session_latest"
        if session.is_symlink():  # every node's processes name it, wherever their logs are
            marks.append(Path(os.readlink(session)).name.encode())
        roots = [pid for pid, (_, cmd) in table.items() if any(m in cmd for m in marks)]
        doomed = {p for root in roots for p in [root, *_descendants(root, table)]}
        doomed.discard(os.getpid())
        for pid in doomed:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(process_alive(p) for p in doomed):
            time.sleep(0.1)
        for pid in doomed:
            _signal(pid, signal.SIGKILL)


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)

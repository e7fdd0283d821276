#!/usr/bin/env python3
"""Atelier's locked dependencies: requirements/*.txt, every package pinned with its hashes,
compiled from pyproject.toml by pip-tools' pip-compile, so two installs a week apart are
the same program. scripts/setup.sh installs from them with `pip --require-hashes`.

  python3.11 scripts/lock.py               make the locks (`make lock`); pins already in
                                           them are kept while pyproject.toml allows them,
                                           so a new dependency adds just itself and its needs
  python3.11 scripts/lock.py --upgrade     every package to the newest release its range
                                           allows (`make lock UPGRADE=1`)
  python3.11 scripts/lock.py check         exit 1 when the locks were made from other inputs
  python3.11 scripts/lock.py opt-in LOCK   the opt-in extras' packages that LOCK leaves out

The locks (for Linux x86-64 and CPython 3.11: torch is its CPU build from pip's find-links):
  runtime.txt  the project's dependencies: what `make run` installs
  nsfw.txt     runtime.txt plus the nsfw extra (NudeNet, AGPL-3.0): `make run LOCK=nsfw`
  ray.txt      runtime.txt plus the ray extra (Ray, 245 MB): `make run LOCK=ray`
  test.txt     runtime.txt plus the dev, nsfw and ray extras: what `make test` installs
  nodeps.txt   scripts/requirements-nodeps.txt with hashes, installed --no-deps with each
nsfw.txt, ray.txt and test.txt are compiled with runtime.txt as constraints, so a package
they share has one version everywhere. Every extra but `dev` is opt-in (a licence a
commercial studio may not accept, or a size most do not need; atelier/optional_parts.py).
Each lock's first line is the sha256 of its inputs (the dependency lists in pyproject.toml
and the no-deps pins); set-up refuses locks made from other inputs.

pip-compile runs from its own virtual environment, build/lock-tools, made here on first use.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
NODEPS_INPUT = ROOT / "scripts" / "requirements-nodeps.txt"
LOCKS = ROOT / "requirements"
TOOLS = ROOT / "build" / "lock-tools"
PIP_TOOLS = "pip-tools==7.6.2"
DIGEST_PREFIX = "# atelier-lock-inputs: sha256:"

# Lock name -> the extras it adds to the project's dependencies.
COMPILED: dict[str, list[str]] = {
    "runtime": [],
    "nsfw": ["nsfw"],
    "ray": ["ray"],
    "test": ["dev", "nsfw", "ray"],
}
NODEPS = "nodeps"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def nodeps_pins() -> list[tuple[str, str]]:
    """(`name==version`, its comment) for each line of scripts/requirements-nodeps.txt."""
    pins = []
    for line in NODEPS_INPUT.read_text().splitlines():
        requirement, _, comment = line.partition("#")
        if not requirement.strip():
            continue
        if not PIN.match(requirement.strip()):
            sys.exit(f"lock: {NODEPS_INPUT.name}: {requirement.strip()!r} is not name==version")
        pins.append((requirement.strip(), comment.strip()))
    return pins


def inputs_digest() -> str:
    """The sha256 of what the locks are made from: pyproject.toml's dependency lists (not
    its other settings) and the no-deps pins."""
    project = tomllib.loads(PYPROJECT.read_text())
    inputs = {
        "build-system": project["build-system"]["requires"],
        "dependencies": project["project"]["dependencies"],
        "optional-dependencies": project["project"].get("optional-dependencies", {}),
        "nodeps": [pin for pin, _ in nodeps_pins()],
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def lock_path(name: str) -> Path:
    return LOCKS / f"{name}.txt"


def locked_names(name: str) -> set[str]:
    """The (normalized) names of the packages a lock pins."""
    names = set()
    for line in lock_path(name).read_text().splitlines():
        found = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", line)
        if found:
            names.add(normalized(found.group(1)))
    return names


def opt_in_packages() -> set[str]:
    """The packages named by the opt-in extras (every extra but dev)."""
    extras = tomllib.loads(PYPROJECT.read_text())["project"].get("optional-dependencies", {})
    return {
        normalized(NAME.match(requirement.strip()).group(0))  # type: ignore[union-attr]
        for extra, requirements in extras.items()
        if extra != "dev"
        for requirement in requirements
    }


def stale_locks() -> list[str]:
    """The locks that are missing or were made from inputs other than today's."""
    want = DIGEST_PREFIX + inputs_digest()
    stale = []
    for name in [*COMPILED, NODEPS]:
        path = lock_path(name)
        first = path.read_text().partition("\n")[0] if path.exists() else ""
        if first != want:
            stale.append(str(path.relative_to(ROOT)))
    return stale


def tools() -> Path:
    """pip-compile in build/lock-tools (made, or remade for another pip-tools, here)."""
    marker = TOOLS / "pip-tools-version"
    if not marker.exists() or marker.read_text() != PIP_TOOLS:
        print(f"lock: installing {PIP_TOOLS} into {TOOLS.relative_to(ROOT)}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(TOOLS)], check=True)
        pip = [str(TOOLS / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, PIP_TOOLS], check=True)
        marker.write_text(PIP_TOOLS)
    return TOOLS / "bin"


def compile_lock(name: str, upgrade: bool, digest: str) -> None:
    """One lock from pyproject.toml with pip-compile (pip's own configuration applies: its
    indexes, find-links and constraints)."""
    path = lock_path(name)
    command = [
        str(tools() / "pip-compile"),
        "--quiet",
        "--generate-hashes",
        "--allow-unsafe",  # setuptools: the project's build requirement, installed from here
        "--all-build-deps",
        "--strip-extras",
        "--no-emit-index-url",
        "--no-emit-find-links",
        "--output-file",
        str(path.relative_to(ROOT)),
    ]
    for extra in COMPILED[name]:
        command += ["--extra", extra]
    if name != "runtime":
        command += ["--constraint", str(lock_path("runtime").relative_to(ROOT))]
    if upgrade:
        command.append("--upgrade")
    command.append("pyproject.toml")
    print(f"lock: compiling {path.relative_to(ROOT)}", flush=True)
    environment = {**os.environ, "CUSTOM_COMPILE_COMMAND": "make lock"}
    subprocess.run(command, cwd=ROOT, env=environment, check=True)
    path.write_text(f"{DIGEST_PREFIX}{digest}\n" + path.read_text())


def kept_hashes(path: Path) -> dict[str, list[str]]:
    """`name==version` -> its hashes, from a no-deps lock already made."""
    kept: dict[str, list[str]] = {}
    if not path.exists():
        return kept
    current = None
    for line in path.read_text().splitlines():
        pin = PIN.match(line.removesuffix("\\").strip())
        if pin:
            current = pin.group(0)
            kept[current] = []
        elif current and line.strip().startswith("--hash="):
            kept[current].append(line.strip().removesuffix("\\").strip())
        else:
            current = None
    return kept


def nodeps_lock(digest: str) -> None:
    """scripts/requirements-nodeps.txt with the hash of the file pip takes for each pin
    (downloaded once; a pin already locked keeps its hashes)."""
    path = lock_path(NODEPS)
    kept = kept_hashes(path)
    lines = [
        f"{DIGEST_PREFIX}{digest}",
        "#",
        "# Made by `make lock` from scripts/requirements-nodeps.txt: packages installed with",
        "# `pip install --no-deps` (their declared dependencies would pull the wrong things).",
        "#",
    ]
    with tempfile.TemporaryDirectory() as scratch:
        for pin, comment in nodeps_pins():
            hashes = kept.get(pin)
            if not hashes:
                print(f"lock: hashing {pin}", flush=True)
                folder = Path(scratch) / pin
                subprocess.run(
                    [str(tools() / "python"), "-m", "pip", "download", "--quiet", "--no-deps"]
                    + ["--dest", str(folder), pin],
                    check=True,
                )
                hashes = [
                    f"--hash=sha256:{hashlib.sha256(f.read_bytes()).hexdigest()}"
                    for f in sorted(folder.iterdir())
                ]
            lines.append(f"{pin} \\")
            lines += [f"    {h} \\" for h in hashes[:-1]] + [f"    {hashes[-1]}"]
            if comment:
                lines.append(f"    # {comment}")
    path.write_text("\n".join(lines) + "\n")


def main(arguments: list[str]) -> int:
    if arguments[:1] == ["check"]:
        stale = stale_locks()
        if stale:
            print(
                "setup: error: these locks were not made from this pyproject.toml and "
                f"scripts/requirements-nodeps.txt: {', '.join(stale)}.\n"
                "Run `make lock` and commit requirements/.",
                file=sys.stderr,
            )
            return 1
        return 0
    if arguments[:1] == ["opt-in"] and len(arguments) == 2:
        print("\n".join(sorted(opt_in_packages() - locked_names(arguments[1]))))
        return 0
    if arguments not in ([], ["--upgrade"]):
        print(__doc__, file=sys.stderr)
        return 2
    LOCKS.mkdir(exist_ok=True)
    digest = inputs_digest()
    for name in COMPILED:  # runtime first: the others are constrained by it
        compile_lock(name, upgrade=bool(arguments), digest=digest)
    nodeps_lock(digest)
    print("lock: done; commit requirements/", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

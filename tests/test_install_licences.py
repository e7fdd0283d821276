"""What set-up installs: the locks in requirements/ are the ones made from pyproject.toml;
the runtime lock (`make run`) holds no package under the AGPL or a non-commercial licence,
read from the installed packages' metadata and licence files; such packages are opt-in
extras, declared in atelier/optional_parts.py and named to the admin when active.

These run in the test install (requirements/test.txt), which has every runtime package
and the opt-in nsfw extra."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

from atelier import optional_parts
from atelier.web.app import create_app
from tests.support.accounts import sign_in
from tests.support.settings import make_settings

ROOT = Path(__file__).resolve().parent.parent
LOCK_SCRIPT = ROOT / "scripts" / "lock.py"
# A licence a commercial studio may not accept: the AGPL, or terms that rule out commerce.
RESTRICTED = re.compile(
    r"affero|\bagpl|non-?commercial|\bCC[- ]BY-NC|research (purposes )?only", re.IGNORECASE
)
LICENCE_FILE = re.compile(r"^(licen[cs]e|copying|notice)", re.IGNORECASE)
# A licence file is read by its heading: the GPL's own text mentions the Affero licence and
# "noncommercially" in passing, and many packages bundle it for a part they ship.
HEADING = 300


def load_lock_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("atelier_lock_script", LOCK_SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lock = load_lock_script()


def pins(name: str) -> dict[str, str]:
    """Normalized name -> version, for every package a lock pins."""
    found = re.findall(
        r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", lock.lock_path(name).read_text(), re.M
    )
    return {lock.normalized(package): version for package, version in found}


def restricted_licence(dist: importlib.metadata.Distribution) -> list[str]:
    """Where a package's metadata or the heading of one of its licence files names a
    restricted licence. Both are read: NudeNet's metadata says MIT while its wheel's
    LICENSE is the AGPL-3.0."""
    metadata = dist.metadata
    texts = [
        ("License-Expression", metadata.get("License-Expression") or ""),
        ("License", (metadata.get("License") or "")[:HEADING]),  # some hold a whole text
        *(("Classifier", c) for c in metadata.get_all("Classifier") or [] if "License" in c),
    ]
    for file in dist.files or []:
        in_dist_info = any(part.endswith(".dist-info") for part in file.parts)
        if in_dist_info and (LICENCE_FILE.match(file.name) or "licenses" in file.parts):
            texts.append((str(file), file.locate().read_text(errors="replace")[:HEADING]))
    return [where for where, text in texts if RESTRICTED.search(text)]


def installed(package: str, version: str) -> importlib.metadata.Distribution:
    dist = importlib.metadata.distribution(package)
    assert dist.version == version, f"{package} {dist.version} installed, {version} locked"
    return dist


def test_the_locks_are_made_from_this_pyproject() -> None:
    assert lock.stale_locks() == []
    assert pins("runtime")["torch"] == "2.13.0+cpu"  # the CPU build pip's find-links holds


def test_a_dependency_added_without_make_lock_stops_set_up(tmp_path: Path) -> None:
    for part in ("pyproject.toml", "scripts/lock.py", "scripts/requirements-nodeps.txt"):
        (tmp_path / part).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / part, tmp_path / part)
    shutil.copytree(ROOT / "requirements", tmp_path / "requirements")

    def check() -> subprocess.CompletedProcess[str]:
        command = [sys.executable, str(tmp_path / "scripts/lock.py"), "check"]
        return subprocess.run(command, capture_output=True, text=True)

    assert check().returncode == 0
    pyproject = tmp_path / "pyproject.toml"
    # Settings other than the dependency lists do not touch the locks.
    pyproject.write_text(pyproject.read_text().replace("line-length = 100", "line-length = 99"))
    assert check().returncode == 0
    pyproject.write_text(
        pyproject.read_text().replace("dependencies = [\n", 'dependencies = [\n  "six>=1.16",\n', 1)
    )
    result = check()
    assert result.returncode == 1
    assert "requirements/runtime.txt" in result.stderr and "make lock" in result.stderr


def test_the_licence_scan_finds_nudenets_agpl_in_its_wheel() -> None:
    dist = installed("nudenet", pins("test")["nudenet"])
    assert dist.metadata["License"] == "MIT"  # what its metadata claims
    found = restricted_licence(dist)
    assert found and all(where.startswith("nudenet-") for where in found)  # its files


def test_the_runtime_lock_holds_no_agpl_or_non_commercial_package() -> None:
    runtime = pins("runtime") | pins("nodeps")
    assert len(runtime) > 100
    opt_in = {part.package for part in optional_parts.OPTIONAL_PARTS}
    assert not opt_in & set(runtime)
    restricted = {
        package: where
        for package, version in runtime.items()
        if (where := restricted_licence(installed(package, version)))
    }
    assert restricted == {}


def test_every_restricted_package_installed_for_tests_is_a_declared_optional_part() -> None:
    restricted = {
        package
        for package, version in (pins("test") | pins("nodeps")).items()
        if restricted_licence(installed(package, version))
    }
    declared = {part.package for part in optional_parts.OPTIONAL_PARTS}
    assert restricted == {"nudenet"} and declared == {"nudenet", "ray"}
    # Declared parts are the opt-in extras' packages (set-up removes them under make run).
    assert lock.opt_in_packages() == declared
    for part in optional_parts.OPTIONAL_PARTS:
        assert part.package in pins(part.extra) and part.package in pins("test")


@pytest.mark.parametrize(
    ("name", "left_out"),
    [("runtime", "nudenet\nray"), ("nsfw", "ray"), ("ray", "nudenet"), ("test", "")],
)
def test_set_up_uninstalls_the_opt_in_parts_a_lock_leaves_out(name: str, left_out: str) -> None:
    command = [sys.executable, str(LOCK_SCRIPT), "opt-in", name]
    assert subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip() == (
        left_out
    )


def test_the_status_page_and_the_start_up_log_name_an_active_optional_part(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = importlib.metadata.version("nudenet")
    ray = next(part for part in optional_parts.OPTIONAL_PARTS if part.package == "ray")
    assert optional_parts.active() == [
        {
            "package": "nudenet",
            "version": version,
            "extra": "nsfw",
            "licence": "AGPL-3.0",
            "use": "screens generated images for nudity (safety/image.py)",
        },
        {
            "package": "ray",
            "version": importlib.metadata.version("ray"),
            "extra": "ray",
            "licence": "Apache-2.0",
            "use": ray.use,
        },
    ]
    with TestClient(create_app(make_settings(tmp_path))) as client:
        logged = capsys.readouterr().out
        assert f"optional part active: nudenet {version} (AGPL-3.0), installed by the 'nsfw'" in (
            logged
        )
        sign_in(client, "admin@localhost", "admin password 1")
        page = client.get("/admin/status")
    assert page.status_code == 200
    item = re.search(r'<li data-package="nudenet">(.*?)</li>', page.text, re.S)
    assert item, page.text
    assert f"nudenet {version}" in item.group(1) and "AGPL-3.0" in item.group(1)

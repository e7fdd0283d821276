"""Optional parts: packages kept out of the default install (`make run`) and installed
only when the operator opts in with their extra in pyproject.toml (`make run LOCK=EXTRA`):
those under a licence a commercial studio may not accept (AGPL, non-commercial terms), and
those most studios do not need and that are large (Ray). `make test` installs them all for
the tests that need them.

This is the one list of them: the admin status page and `atelier serve`'s start-up log
say which are active here, the image screen asks it whether NudeNet is there, and a test
checks that no other package with such a licence is in the runtime lock."""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass


@dataclass(frozen=True)
class OptionalPart:
    package: str  # the distribution's name, as pip and the lock files write it
    extra: str  # the pyproject.toml extra that installs it
    licence: str
    use: str  # what the studio does with it


OPTIONAL_PARTS = (
    OptionalPart(
        package="nudenet",
        extra="nsfw",
        licence="AGPL-3.0",
        use="screens generated images for nudity (safety/image.py)",
    ),
    OptionalPart(
        package="ray",
        extra="ray",
        licence="Apache-2.0",
        use="runs the engines on a Ray cluster (atelier worker --ray; studio/ray_workers.py)",
    ),
)


def installed(package: str) -> str | None:
    """The installed version of a package, or None."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def active() -> list[dict[str, str]]:
    """The optional parts installed here, each with its version, licence and use."""
    return [
        {
            "package": part.package,
            "version": version,
            "extra": part.extra,
            "licence": part.licence,
            "use": part.use,
        }
        for part in OPTIONAL_PARTS
        if (version := installed(part.package)) is not None
    ]


def notices() -> list[str]:
    """One line per active optional part, for the start-up log."""
    return [
        f"optional part active: {p['package']} {p['version']} ({p['licence']}), "
        f"installed by the '{p['extra']}' extra: {p['use']}"
        for p in active()
    ]

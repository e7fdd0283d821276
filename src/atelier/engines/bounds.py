"""Bounded work on untrusted input: archives inflated under caps, and work run in a child
process that is killed when it passes its time or memory budget.

A file a stranger sends is small on the wire and can be huge in work: a zip member that
inflates a thousandfold, a score that a pure-Python parser chews on for minutes. Both are
refused here with `OverLimit`, whose text names the limit."""

from __future__ import annotations

import io
import multiprocessing
import resource
import zipfile
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from atelier.engines.base import EngineError

T = TypeVar("T")

# Children are forked from a server process that imported `_PRELOAD` once (so they start
# in milliseconds), never from the multi-threaded web server itself.
_FORKSERVER = multiprocessing.get_context("forkserver")
_PRELOAD: list[str] = ["__main__"]  # else each child imports the main script again


class OverLimit(EngineError):
    """An input over one of its limits (size once inflated, members, bars, notes, parts,
    seconds or memory of work); the text names the limit."""


# ---------------------------------------------------------------- archives


class BoundedZip:
    """A zip archive read from bytes, whose members inflate under caps: at most
    `max_members` members, each at most `max_member_bytes` once inflated, and at most
    `max_total_bytes` read in all. Sizes are counted while inflating, never taken from the
    archive's own (forgeable) headers. ValueError for a damaged archive."""

    def __init__(
        self, data: bytes, max_members: int, max_member_bytes: int, max_total_bytes: int
    ) -> None:
        try:
            self._archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
            raise ValueError(f"damaged zip archive ({exc})") from None
        self.names = self._archive.namelist()
        if len(self.names) > max_members:
            raise OverLimit(
                f"the archive holds {len(self.names):,} files; the limit is {max_members:,}"
            )
        self.max_member_bytes = max_member_bytes
        self.max_total_bytes = max_total_bytes
        self.total = 0

    def read(self, name: str) -> bytes:
        """One member, inflated; OverLimit as soon as it passes a cap."""
        allowed = min(self.max_member_bytes, self.max_total_bytes - self.total)
        try:
            with self._archive.open(name) as member:
                data = member.read(allowed + 1)
        except KeyError:
            raise ValueError(f"the archive has no {name!r}") from None
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
            raise ValueError(f"damaged zip archive ({exc})") from None
        if len(data) > self.max_member_bytes:
            raise OverLimit(
                f"{name!r} inflates to more than {self.max_member_bytes:,} bytes; "
                f"that is the limit for one file in the archive"
            )
        if len(data) > allowed:
            raise OverLimit(
                f"the archive inflates to more than {self.max_total_bytes:,} bytes; "
                f"that is the limit"
            )
        self.total += len(data)
        return data

    def __enter__(self) -> BoundedZip:
        return self

    def __exit__(self, *_: object) -> None:
        self._archive.close()


# ---------------------------------------------------------------- budgets


def preload(module: str) -> None:
    """Have bounded children start with `module` imported (call it at import time, before
    the first `run_bounded`: the fork server reads the list when it starts)."""
    if module not in _PRELOAD:
        _PRELOAD.append(module)
        _FORKSERVER.set_forkserver_preload(_PRELOAD)


def run_bounded(function: Callable[..., T], *args: Any, seconds: float, memory_bytes: int) -> T:
    """`function(*args)` in a child process: its value, or the exception it raised. The
    child is killed after `seconds`, and cannot take more than `memory_bytes` beyond what it
    starts with; either gives OverLimit. `function`, its arguments, value and exceptions
    must pickle (a module-level function; plain data)."""
    receiver, sender = _FORKSERVER.Pipe(duplex=False)
    child = _FORKSERVER.Process(
        target=_child, args=(sender, memory_bytes, function, args), daemon=True
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise OverLimit(f"reading it took longer than {seconds:g} seconds; that is the limit")
        ok, value = receiver.recv()
    except EOFError:  # the child ended without answering
        child.join()
        if child.exitcode is not None and child.exitcode < 0:  # a signal: out of memory in C
            raise OverLimit(_memory_message(memory_bytes)) from None
        raise RuntimeError(f"a bounded child exited with code {child.exitcode}") from None
    finally:
        child.kill()
        child.join()
        receiver.close()
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


def _child(sender: Connection, memory_bytes: int, function: Callable[..., Any], args: Any) -> None:
    """Runs in the child: cap the address space, run, send back (True, value) or
    (False, exception); a MemoryError means the memory budget was spent."""
    resource.setrlimit(
        resource.RLIMIT_AS, (_address_space() + memory_bytes, resource.RLIM_INFINITY)
    )
    try:
        outcome: tuple[bool, Any] = (True, function(*args))
    except MemoryError:
        outcome = (False, OverLimit(_memory_message(memory_bytes)))
    except Exception as exc:  # handed to the parent, which raises it
        outcome = (False, exc)
    try:
        sender.send(outcome)
    except Exception as exc:  # a value or exception that does not pickle
        sender.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    sender.close()


def _memory_message(memory_bytes: int) -> str:
    return f"reading it needed more than {memory_bytes / 1e6:,.0f} MB of memory; that is the limit"


def _address_space() -> int:
    """This process's virtual memory size now, in bytes."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    return pages * resource.getpagesize()

"""Crash and hang isolation: build and call kernels in a worker process.

A kernel that segfaults, aborts or hangs while compiling or running kills only the worker:
the example becomes a "crash" or "timeout" error and a fresh worker takes the next one. The
worker is spawned (not forked: TVM's and torch's thread pools do not survive a fork) once
and reused, so each example costs one round trip of its arrays, not a process start.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import signal
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

DEFAULT_TIMEOUT = 120.0  # seconds for one example's build and call


@dataclass
class Outcome:
    """What building and calling a kernel gave: an output, a compile-only note, or an error."""

    actual: object = None
    script: str | None = None
    error: str | None = None
    compile_only: str | None = None
    device_lost: bool = False  # a remote device stopped answering (targets/rpc.py)
    died: bool = False  # the worker crashed or hung (IsolatedRunner)


def short_error(stage: str, exc: BaseException) -> str:
    """The exception's first lines (TVM puts the message there) and its last ones."""
    lines = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()
    keep = lines if len(lines) <= 24 else [*lines[:4], "...", *lines[-16:]]
    return f"{stage} error: " + "\n".join(line[:300] for line in keep)


def build_and_call(kernel, target, ex) -> Outcome:
    """Build (cached) and call one kernel on one example in this process; errors become an
    Outcome, and an error of a remote target whose session no longer answers a "device lost" one."""
    from targets.rpc import DeviceLost, remote_sessions

    try:
        outcome = _build_and_call(kernel, target, ex)
        if outcome.error and target.rpc and not remote_sessions().alive(target):
            remote_sessions().lose(target, outcome.error)
        return outcome
    except DeviceLost as lost:
        return Outcome(error=str(lost), device_lost=True)


def _build_and_call(kernel, target, ex) -> Outcome:
    from runner.build import BuildError, KernelShapeError, build

    try:
        compiled = build(kernel, ex.case, target, ex.options)
    except BuildError as exc:
        return Outcome(script=exc.script, error=short_error("compile", exc.__cause__))
    except KernelShapeError as exc:
        return Outcome(script=exc.script, error=f"shape error: {exc}")
    except Exception as exc:  # the kernel's own compute or schedule raised
        return Outcome(error=short_error("compile", exc))
    if not compiled.runnable:
        what = f"{target.device_kind} source generated"
        if compiled.binary_size:
            what += " and compiled to a cubin by nvcc"
        return Outcome(script=compiled.script, compile_only=f"{what}; {target.why_not_runnable}")
    try:
        return Outcome(actual=compiled(ex), script=compiled.script)
    except Exception as exc:
        return Outcome(script=compiled.script, error=short_error("run", exc))


def start_worker(user_modules: dict) -> None:
    """In a fresh worker: die with the process that started it (a worker left behind by a
    crashed run would hold its output pipes open, and whoever waits for them would hang), and
    import the --kernel-module files the parent imported, under the same names."""
    from kernels.user_module import import_user_modules

    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    import_user_modules(user_modules)


class InProcessRunner:
    """No isolation: fastest, but a crashing kernel takes the run down (--no-isolation)."""

    def run(self, kernel, target, ex) -> Outcome:
        return build_and_call(kernel, target, ex)

    def call(self, function, *args):
        """`function(*args)` (module-level, so a worker can run it too)."""
        return function(*args)

    def close(self):
        pass


class IsolatedRunner:
    """Runs each example in a reused worker process; replaces the worker after a crash or hang."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT):
        self.timeout = timeout
        self._pool = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            from kernels.user_module import IMPORTED

            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=start_worker, initargs=(dict(IMPORTED),))
        return self._pool

    def _discard(self, kill: bool):
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if kill:
            # private: ProcessPoolExecutor has no public way to kill a hung worker
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def run(self, kernel, target, ex) -> Outcome:
        return self.call(build_and_call, kernel, target, ex)

    def call(self, function, *args):
        """`function(*args)` in the worker; an Outcome with `died` when it crashes or hangs."""
        future = self._executor().submit(function, *args)
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            self._discard(kill=True)
            return Outcome(error=f"timeout: no result within {self.timeout:g} s (worker killed)", died=True)
        except BrokenProcessPool:
            # private: the dead worker's exit code (its signal) is only on the pool's processes
            codes = [p.exitcode for p in getattr(self._pool, "_processes", {}).values()]
            self._discard(kill=True)
            return Outcome(error=f"crash: the worker process died{_describe(codes)} while building or running",
                           died=True)

    def close(self):
        self._discard(kill=False)


def _describe(exit_codes) -> str:
    for code in exit_codes:
        if code is not None and code < 0:
            try:
                return f" ({signal.Signals(-code).name})"
            except ValueError:
                return f" (signal {-code})"
    return ""

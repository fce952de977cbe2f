"""The versions and machine a run used, for the report and bug-report texts."""
from __future__ import annotations

import functools
import importlib.metadata
import platform
from pathlib import Path


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def tvm_build() -> dict:
    """Which TVM this is: its version and where it was imported from, its git commit and the
    build options it was compiled with (tvm.support.libinfo()), so a run against a source build
    or a vendor's fork says what it tested."""
    try:
        import tvm

        info = dict(tvm.support.libinfo())
    except Exception as exc:  # a TVM that does not import is said, not hidden
        return {"tvm": f"does not import: {type(exc).__name__}: {exc}"}
    commit = info.get("GIT_COMMIT_HASH") or "not recorded in this build"
    enabled = sorted(key.removeprefix("USE_") for key, value in info.items()
                     if key.startswith("USE_") and value not in ("OFF", "NOT-FOUND", "", "0"))
    return {"tvm": str(tvm.__version__), "tvm location": str(Path(tvm.__file__).parent),
            "tvm git commit": commit, "tvm build options": ", ".join(enabled) or "none",
            "apache-tvm-ffi": _version("apache-tvm-ffi")}


@functools.cache
def environment() -> dict:
    """Package versions (TVM's build too), Python, OS and CPU, as strings."""
    env = {name: _version(dist) for name, dist in (
        ("numpy", "numpy"), ("torch", "torch"), ("mxnet", "mxnet"), ("hypothesis", "hypothesis"))}
    env.update(tvm_build())
    env["python"] = platform.python_version()
    env["platform"] = platform.platform()
    env["cpu"] = _cpu_model()
    return env

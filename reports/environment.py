"""The versions and machine a run used, for the report and bug-report texts."""
from __future__ import annotations

import functools
import importlib.metadata
import platform


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


@functools.cache
def environment() -> dict:
    """Package versions, Python, OS and CPU, as strings."""
    env = {name: _version(dist) for name, dist in (
        ("tvm", "apache-tvm"), ("numpy", "numpy"), ("torch", "torch"), ("mxnet", "mxnet"),
        ("hypothesis", "hypothesis"))}
    env["python"] = platform.python_version()
    env["platform"] = platform.platform()
    env["cpu"] = _cpu_model()
    return env

"""The running environment is the one its lock describes (requirements.txt, requirements-numpy2.txt):
every package at the locked version, none missing, none extra. A transitive release can break TVM
silently (findings/tvm-ffi-abi-mismatch.md), so a verdict is only worth its environment."""
import importlib.metadata
import os
import re
import sysconfig
from pathlib import Path

import pytest

# What the virtualenv brings itself, not the project: the installer.
INSTALLER = {"pip"}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(path: Path) -> dict:
    """name -> version of every `name==version` line of a lock file."""
    pins = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line)
        if match:
            pins[normalized(match[1])] = match[2]
    return pins


def installed() -> dict:
    """The distributions installed in this environment's site-packages (not those vendored
    on sys.path, like setuptools' own copy of packaging)."""
    paths = list(dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib")))
    return {normalized(d.metadata["Name"]): d.version for d in importlib.metadata.distributions(path=paths)}


def test_the_running_environment_equals_its_lock():
    lock = os.environ.get("DWCONF_LOCK")
    if not lock:
        pytest.skip("not run from a locked environment (tox sets DWCONF_LOCK to the lock it installed)")
    pins, present = locked(Path(lock)), installed()
    wrong = {name: (version, present.get(name)) for name, version in pins.items() if present.get(name) != version}
    extra = sorted(set(present) - set(pins) - INSTALLER)
    assert not wrong, f"installed versions differ from {Path(lock).name} (locked, installed): {wrong}"
    assert not extra, f"installed but not in {Path(lock).name}: {extra}"


def test_the_locks_pin_the_tvm_ffi_that_tvm_works_with():
    root = Path(__file__).resolve().parents[1]
    for lock in ("requirements.txt", "requirements-numpy2.txt"):
        pins = locked(root / lock)
        assert pins["apache-tvm"] == "0.27.0.post1" and pins["apache-tvm-ffi"] == "0.1.14.post0", lock
        assert all(not line.strip() or line.lstrip().startswith("#") or "==" in line
                   for line in (root / lock).read_text().splitlines()), f"{lock}: every package at one version"


def test_the_installed_tvm_lock_is_the_numpy2_lock_less_what_tvm_brings():
    import importlib.util

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("installed_lock", root / ".ci" / "installed_lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.installed_lock((root / "requirements-numpy2.txt").read_text())
    assert (root / "requirements-installed.txt").read_text() == expected, "run tox -e lock"
    pins = locked(root / "requirements-installed.txt")
    assert not set(pins) & set(module.BROUGHT_BY_TVM) and {"torch", "hypothesis", "pytest"} <= set(pins)

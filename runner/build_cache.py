"""A compile cache on disk: runnable CPU builds are exported as shared libraries, keyed by a
hash of everything that determines their code, and loaded instead of rebuilt on a later run.
Compile-only builds (CUDA without a GPU: TVM's codegen plus nvcc, ~10 s each) leave a record
of the device binary's size instead, so a re-run does not compile them again.

A re-run of the derandomized ci profile, a replay of the example database and a new pytest
session on the same examples then load each kernel in well under a millisecond instead of
paying TVM's and LLVM's ~60 ms. With the cache on, every CPU build is tested the way users
deploy it: exported (`export_library`) and loaded (`tvm.runtime.load_module`), on a miss too.

`DWCONF_BUILD_CACHE` names the directory (default `.dwconf-cache/builds` beside this
project), or `off`.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

ENV = "DWCONF_BUILD_CACHE"
DEFAULT_DIR = Path(__file__).resolve().parent.parent / ".dwconf-cache" / "builds"
MAX_ENTRIES = 5000  # ~25 KB each: about 125 MB at most; the least recently used go first
PRUNE_EVERY = 200  # stores between two size checks
COMPILED = ".compiled"  # suffix of a compile-only build's record


def cache_dir() -> Path | None:
    """Where exported builds live, or None when `DWCONF_BUILD_CACHE=off`."""
    setting = os.environ.get(ENV, "").strip()
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    return Path(setting).expanduser() if setting else DEFAULT_DIR


def cache_key(kind: str, script: str, target_spec: dict) -> str:
    """Hash of what determines the code: TVM's version, the host, the kernel kind, the target
    and the TVMScript of the (scheduled) module that tvm.compile is given."""
    import tvm

    payload = json.dumps([tvm.__version__, platform.machine(), kind, target_spec, script],
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


@functools.cache
def _link_with_ld():
    """An `export_library` linker that calls `ld` directly: the g++ driver it replaces costs
    ~20 ms a kernel, as much as generating the code. libgcc is linked for the soft-float
    helpers (float16 conversions); `-z now` makes a missing symbol fail at load, not mid-call."""
    ld = shutil.which("ld")
    try:
        libgcc = subprocess.run(["gcc", "-print-libgcc-file-name"], capture_output=True, text=True,
                                check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    if ld is None or not Path(libgcc).exists():
        return None

    def link(output, objects, options=None, cc=None, **_):
        subprocess.run([ld, "-shared", "-z", "now", "-o", output, *objects, libgcc],
                       check=True, capture_output=True)

    link.output_format = "so"
    return link


def export_file(executable, path, target_spec: dict) -> Path:
    """Export `executable` as the shared library `path`. Host llvm code is linked by `ld`
    itself and loaded once to check it (a missing symbol fails there): if it does not load,
    or for cross-compiled code (an `mtriple`) and the c target's C, TVM's default toolchain
    (g++, or $CXX) does the export."""
    import tvm

    linker = _link_with_ld() if target_spec.get("kind") == "llvm" and "mtriple" not in target_spec else None
    if linker is not None:
        try:
            executable.export_library(str(path), fcompile=linker)
            tvm.runtime.load_module(str(path))
            return Path(path)
        except Exception:
            pass
    executable.export_library(str(path))
    return Path(path)


class BuildCache:
    """Exported builds under `directory`, one `<key>.so` each."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.hits = self.misses = self._stores = 0

    def path(self, key: str, suffix: str = ".so") -> Path:
        return self.directory / f"{key}{suffix}"

    def compiled_size(self, key: str) -> int | None:
        """The device binary size a compile-only build of `key` gave on an earlier run, or None."""
        path = self.path(key, COMPILED)
        try:
            size = json.loads(path.read_text())["binary_size"]
        except (OSError, ValueError, KeyError):
            self.misses += 1
            return None
        os.utime(path)
        self.hits += 1
        return int(size)

    def store_compiled(self, key: str, binary_size: int) -> None:
        """Record that `key` compiled (compile-only), atomically."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix=COMPILED, dir=self.directory)
        with os.fdopen(fd, "w") as out:
            json.dump({"binary_size": binary_size}, out)
        os.replace(tmp, self.path(key, COMPILED))

    def lookup(self, key: str) -> Path | None:
        """The stored library's path for `key`, or None."""
        path = self.path(key)
        if not path.exists():
            self.misses += 1
            return None
        os.utime(path)  # least recently used goes first when pruning
        self.hits += 1
        return path

    def load(self, key: str):
        """The loaded library for `key`, or None (absent, or unloadable: then removed)."""
        import tvm

        path = self.lookup(key)
        if path is None:
            return None
        try:
            return tvm.runtime.load_module(str(path))
        except Exception:
            path.unlink(missing_ok=True)
            self.hits -= 1
            self.misses += 1
            return None

    def store_file(self, key: str, executable, target_spec: dict) -> Path:
        """Export `executable` under `key`, atomically: parallel workers never see half a file."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix=".so", dir=self.directory)
        os.close(fd)
        try:
            export_file(executable, tmp, target_spec)
            os.replace(tmp, self.path(key))
        finally:
            Path(tmp).unlink(missing_ok=True)
        self._stores += 1
        if self._stores % PRUNE_EVERY == 0:
            self.prune()
        return self.path(key)

    def store(self, key: str, executable, target_spec: dict):
        """Export `executable` under `key` and load it back; None where exporting fails."""
        import tvm

        try:
            return tvm.runtime.load_module(str(self.store_file(key, executable, target_spec)))
        except Exception:
            return None

    def prune(self, keep: int = MAX_ENTRIES):
        """Remove all but the `keep` most recently used builds."""
        used = {}
        for entry in (*self.directory.glob("*.so"), *self.directory.glob(f"*{COMPILED}")):
            try:
                used[entry] = entry.stat().st_mtime
            except FileNotFoundError:  # another worker pruned it
                pass
        for stale in sorted(used, key=used.get, reverse=True)[keep:]:
            stale.unlink(missing_ok=True)


_CACHES: dict[Path, BuildCache] = {}


def build_cache() -> BuildCache | None:
    """The build cache of this process for the current `DWCONF_BUILD_CACHE`, or None."""
    directory = cache_dir()
    if directory is None:
        return None
    return _CACHES.setdefault(directory, BuildCache(directory))

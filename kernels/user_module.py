"""Bring your own kernel: load a user's module given by `--kernel-module path/to/file.py`.

The module provides either
  - `KERNELS`: a list of `kernels.kernel.Kernel` objects, or
  - `compute(case) -> (X, K, Y)`: TE tensors for a `DepthwiseCase` (X and K placeholders of
    `case.input_shape` and `case.weight_shape`, Y of `case.output_shape`), with optional
    `NAME` (default: the file's stem), `DESCRIPTION`, `LAYOUTS` (default ("NCHW",)),
    `DTYPES` (default ("float32",)), `MAX_MULTIPLIER` (default 4), `schedule(sch, case,
    target, **options)` (a `tvm.s_tir.Schedule` to transform) and `options(case)` (a
    Hypothesis strategy of dicts of schedule knobs).
Each file is imported under a name of its own, made from its path (two files named
`clean.py`, or one named `kernels.py`, do not collide with each other or with dwconf's
packages); the isolation worker imports the same files under the same names
(`import_user_modules`). The file's folder goes at the end of sys.path, for its own helpers.
"""
from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from pathlib import Path

from kernels.kernel import Kernel
from model.space import CaseSpace

INTERFACE = ("a kernel module defines KERNELS (a list of kernels.kernel.Kernel) or compute(case) -> "
             "(X, K, Y) TE tensors, with optional NAME, DESCRIPTION, LAYOUTS, DTYPES, MAX_MULTIPLIER, "
             "schedule(sch, case, target, **options) and options(case); see README, 'Bring your own kernel'")


class KernelModuleError(ValueError):
    """The module could not be loaded or does not follow the interface."""


# module name -> file of every user module imported in this process (the worker re-imports them)
IMPORTED: dict[str, str] = {}


def module_name(file: Path) -> str:
    """A module name no other file has: the stem plus a digest of the absolute path."""
    digest = hashlib.sha256(str(file).encode()).hexdigest()[:12]
    stem = re.sub(r"\W", "_", file.stem)
    return f"dwconf_user_{stem}_{digest}"


def import_file(file: Path):
    """Import `file` under module_name(file) (once per process)."""
    name = module_name(file)
    if name in sys.modules:
        return sys.modules[name]
    if str(file.parent) not in sys.path:
        sys.path.append(str(file.parent))
    spec = importlib.util.spec_from_file_location(name, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # before running it: pickling its functions looks it up by name
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    IMPORTED[name] = str(file)
    return module


def import_user_modules(files: dict) -> None:
    """Import the user modules another process imported (`IMPORTED` there), under the same names."""
    for file in files.values():
        import_file(Path(file))


def load_kernel_module(path: str) -> list[Kernel]:
    """The kernels a user's module defines; KernelModuleError says what is wrong and what is expected."""
    file = Path(path).resolve()
    if file.suffix != ".py" or not file.is_file():
        raise KernelModuleError(f"--kernel-module {path}: no such Python file; {INTERFACE}")
    try:
        module = import_file(file)
    except Exception as exc:
        raise KernelModuleError(f"--kernel-module {path}: importing it failed ({type(exc).__name__}: {exc}); "
                                f"{INTERFACE}") from None
    if hasattr(module, "KERNELS"):
        kernels = list(module.KERNELS)
        if not kernels or not all(isinstance(k, Kernel) for k in kernels):
            raise KernelModuleError(f"--kernel-module {path}: KERNELS must be a non-empty list of Kernel; {INTERFACE}")
        return kernels
    if not callable(getattr(module, "compute", None)):
        raise KernelModuleError(f"--kernel-module {path}: defines neither KERNELS nor compute(case); {INTERFACE}")
    space = CaseSpace(layouts=tuple(getattr(module, "LAYOUTS", ("NCHW",))),
                      dtypes=tuple(getattr(module, "DTYPES", ("float32",))),
                      max_multiplier=int(getattr(module, "MAX_MULTIPLIER", 4)))
    return [Kernel(name=getattr(module, "NAME", file.stem), compute=module.compute, space=space,
                   description=getattr(module, "DESCRIPTION", f"user kernel from {file.name}"),
                   schedule=getattr(module, "schedule", None), options=getattr(module, "options", None),
                   gpu=getattr(module, "schedule", None) is None)]

"""Bring your own kernel: load a user's module given by `--kernel-module path/to/file.py`.

The module provides either
  - `KERNELS`: a list of `kernels.kernel.Kernel` objects, or
  - `compute(case) -> (X, K, Y)`: TE tensors for a `DepthwiseCase` (X and K placeholders of
    `case.input_shape` and `case.weight_shape`, Y of `case.output_shape`), with optional
    `NAME` (default: the file's stem), `DESCRIPTION`, `LAYOUTS` (default ("NCHW",)),
    `DTYPES` (default ("float32",)), `MAX_MULTIPLIER` (default 4), `schedule(sch, case,
    target, **options)` (a `tvm.s_tir.Schedule` to transform) and `options(case)` (a
    Hypothesis strategy of dicts of schedule knobs).
The file's folder goes on sys.path and the module is imported by its stem, so the kernel
can be rebuilt in the isolation worker.
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

from kernels.kernel import Kernel
from strategies.cases import CaseSpace

INTERFACE = ("a kernel module defines KERNELS (a list of kernels.kernel.Kernel) or compute(case) -> "
             "(X, K, Y) TE tensors, with optional NAME, DESCRIPTION, LAYOUTS, DTYPES, MAX_MULTIPLIER, "
             "schedule(sch, case, target, **options) and options(case); see README, 'Bring your own kernel'")


class KernelModuleError(ValueError):
    """The module could not be loaded or does not follow the interface."""


def load_kernel_module(path: str) -> list[Kernel]:
    """The kernels a user's module defines; KernelModuleError says what is wrong and what is expected."""
    file = Path(path).resolve()
    if file.suffix != ".py" or not file.is_file():
        raise KernelModuleError(f"--kernel-module {path}: no such Python file; {INTERFACE}")
    if str(file.parent) not in sys.path:
        sys.path.insert(0, str(file.parent))
    try:
        module = importlib.import_module(file.stem)
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
    return [Kernel(getattr(module, "NAME", file.stem), module.compute, space,
                   getattr(module, "DESCRIPTION", f"user kernel from {file.name}"),
                   schedule=getattr(module, "schedule", None), options=getattr(module, "options", None),
                   gpu=getattr(module, "schedule", None) is None)]

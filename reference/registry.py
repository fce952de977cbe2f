"""The registered references: each one small object that says what it supports."""
from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Callable

from reference.mxnet_reference import mxnet_reference
from reference.numpy_oracle import numpy_reference
from reference.torch_reference import torch_reference


@functools.cache
def missing_package(module: str | None) -> str | None:
    """Why an optional package cannot be used (None when it imports)."""
    if module is None:
        return None
    try:
        importlib.import_module(module)
    except Exception as exc:  # a broken install is as unusable as a missing one
        return f"{module} is not usable here ({type(exc).__name__}: {exc}); pip install -r requirements.txt"
    return None


@dataclass(frozen=True)
class Reference:
    """A way to compute the expected output of a case.

    `exact` references compute in float64 and are the oracle; the others compute in the
    case's dtype and carry their own rounding error (see reference.tolerance).
    """

    name: str
    compute: Callable
    module: str | None = None
    exact: bool = False
    dtypes: tuple[str, ...] = ("float32", "float64", "float16", "bfloat16")
    dtype_note: str = ""  # why the missing dtypes are missing

    def why_unavailable(self) -> str | None:
        return missing_package(self.module)

    def why_unsupported(self, case) -> str | None:
        """None when this reference can compute `case`, else the reason it cannot."""
        missing = self.why_unavailable()
        if missing:
            return missing
        if case.dtype not in self.dtypes:
            return f"{self.name} does not compute {case.dtype}{self.dtype_note}"
        return None

    def supports(self, case) -> bool:
        return self.why_unsupported(case) is None


REFERENCES: dict[str, Reference] = {
    ref.name: ref
    for ref in (
        Reference("numpy", numpy_reference, exact=True),
        Reference("torch", torch_reference, module="torch"),
        Reference("mxnet", mxnet_reference, module="mxnet", dtypes=("float32", "float64"),
                  dtype_note=" (MXNet 1.9.1's CPU convolution takes float32/float64; float16 fails with "
                            "'FP16 gemm on cpu not implemented!')"),
    )
}

ORACLE = REFERENCES["numpy"]

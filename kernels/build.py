"""Building a kernel for a case and a target, cached by what determines the code."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

# Everything that determines the generated code is (kernel, case, target): the input
# values are not part of a case. Shrinking and replays hit this cache.
BUILD_CACHE_SIZE = 512


@dataclass
class CompiledKernel:
    """A built kernel: call it with (data, weight) numpy arrays in the case's layout."""

    kernel: object
    case: object
    target: object
    script: str  # TVMScript of the TIR that was compiled: the repro scripts rebuild from it
    function: object

    def __call__(self, data: np.ndarray, weight: np.ndarray) -> np.ndarray:
        import tvm

        dev = self.target.device()
        x = tvm.runtime.tensor(np.ascontiguousarray(data), dev)
        w = tvm.runtime.tensor(np.ascontiguousarray(weight), dev)
        y = tvm.runtime.empty(self.case.output_shape, self.case.dtype, dev)
        self.function(x, w, y)
        return y.numpy()


def schedule_for_target(mod, target):
    """GPU targets need every block bound to threads: apply dlight's default GPU rules."""
    if not target.gpu:
        return mod
    import tvm
    from tvm.s_tir import dlight

    with target.tvm_target():
        return dlight.ApplyDefaultSchedule(dlight.gpu.Fallback())(mod)


def compile_prim_func(prim_func, target):
    """tvm.compile for the target, jitted so that calls go straight to the function."""
    import tvm

    mod = schedule_for_target(tvm.IRModule({"main": prim_func}), target)
    executable = tvm.compile(mod, target=target.tvm_target())
    return executable.jit()["main"]


@functools.lru_cache(maxsize=BUILD_CACHE_SIZE)
def build(kernel, case, target) -> CompiledKernel:
    """Compile `kernel` for `case` on `target` (cached)."""
    prim_func = kernel.prim_func(case)
    function = compile_prim_func(prim_func, target)
    return CompiledKernel(kernel, case, target, prim_func.script(), function)

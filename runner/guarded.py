"""Guarded buffers: kernel inputs sit between poisoned guard zones, outputs start poisoned
(NaN; for integer dtypes, which have no NaN, the dtype's most negative value).

A kernel that reads past an input would otherwise see whatever memory follows it: its wrong
output changes from call to call, Hypothesis calls the failure flaky and cannot shrink it.
Reading NaN instead, the same example fails the same way every time. An output element the
kernel never writes stays NaN, and a write past either end of the output lands in a guard
zone; guard zones and inputs are checked unchanged after the call.

Guard zones need host memory that TVM can use in place (DLPack), so they are used for the
local CPU device; elsewhere (GPUs, RPC devices) the output is still filled with NaN first.
"""
from __future__ import annotations

import functools

import numpy as np

GUARD_BYTES = 4096  # each side: several rows of any tested case; a multiple of ALIGN
ALIGN = 64  # TVM's from_dlpack refuses host data that is not aligned to 64 bytes
DLPACK_VIEW = {"bfloat16": "uint16"}  # numpy cannot export ml_dtypes' bfloat16 through DLPack
KDL_CPU = 1  # a remote CPU's device type carries its RPC session in the upper bits


class GuardZoneWritten(RuntimeError):
    """The kernel wrote outside its output buffer, or into an input."""


def shape_mismatch(prim_func, shapes, names=("input", "weight", "output")) -> str | None:
    """Compare a TIR function's first parameters' declared shapes with `shapes` (what the case
    gives and needs); the first difference, said plainly, or None. Symbolic sizes (a
    shape-generic kernel) match anything."""
    for param, shape, name in zip(prim_func.params, shapes, names):
        if getattr(param, "shape", None) is None:  # TVM 0.27: a buffer parameter carries its shape
            continue
        declared = tuple(int(d.value) if hasattr(d, "value") else None for d in param.shape)
        matches = len(declared) == len(shape) and all(d is None or d == s for d, s in zip(declared, shape))
        if not matches:
            shown = tuple(d if d is not None else "?" for d in declared)
            needs = "gives" if name != "output" else "needs"
            return f"{name} shape {shown} but the case {needs} {tuple(shape)}"
    return None


def uses_guard_zones(dev) -> bool:
    """True for the local CPU device, where TVM runs kernels on host memory in place."""
    return dev.dlpack_device_type() == KDL_CPU


def _aligned_bytes(nbytes: int) -> np.ndarray:
    raw = np.empty(nbytes + ALIGN, np.uint8)
    start = (-raw.ctypes.data) % ALIGN
    return raw[start:start + nbytes]


def poison(dtype) -> float | int:
    """What guard zones and unwritten outputs hold: NaN, or an integer dtype's most negative value."""
    dtype = np.dtype(dtype)
    return int(np.iinfo(dtype).min) if np.issubdtype(dtype, np.integer) else np.nan


@functools.lru_cache(maxsize=None)
def _guard_zone(dtype: np.dtype) -> bytes:
    """What an untouched guard zone holds: poison of `dtype`, as bytes."""
    return np.full(GUARD_BYTES // dtype.itemsize, poison(dtype), dtype).tobytes()


class GuardedBuffer:
    """One array in the middle of an aligned host buffer; the rest of the buffer is poison."""

    def __init__(self, shape, dtype):
        self.shape, self.dtype = tuple(shape), np.dtype(dtype)
        size = int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize
        self.raw = _aligned_bytes(GUARD_BYTES + size + GUARD_BYTES)
        self.raw.view(self.dtype).fill(poison(self.dtype))
        self.array = self.raw[GUARD_BYTES:GUARD_BYTES + size].view(self.dtype).reshape(self.shape)

    def tensor(self):
        """The middle array as a TVM tensor on the CPU, sharing this buffer's memory."""
        import tvm

        carrier = DLPACK_VIEW.get(self.dtype.name)
        if carrier is None:
            return tvm.runtime.from_dlpack(self.array)
        # private: TVM has no public way to view a tensor's memory as another dtype of that size
        return tvm.runtime.from_dlpack(self.array.view(carrier))._create_view(self.shape, self.dtype.name)

    def guard_zones_intact(self) -> bool:
        untouched = _guard_zone(self.dtype)
        return (self.raw[:GUARD_BYTES].tobytes() == untouched
                and self.raw[GUARD_BYTES + self.array.nbytes:].tobytes() == untouched)


class KernelArgs:
    """The arguments of one kernel call on `dev`: the inputs, then an output of `output`
    = (shape, dtype) unless the kernel returns its own (Relax). `result()` after the call
    returns the output and raises GuardZoneWritten when the kernel wrote where it must not:
    into an input, or outside its output (checked where guard zones are used)."""

    def __init__(self, inputs, dev, output=None):
        import tvm

        guarded = uses_guard_zones(dev)
        self.buffers, self.before = [], []
        if guarded:
            for array in inputs:
                buffer = GuardedBuffer(array.shape, array.dtype)
                buffer.array[...] = array
                self.buffers.append(buffer)
            self.before = [buffer.raw.tobytes() for buffer in self.buffers]
            tensors = [buffer.tensor() for buffer in self.buffers]
        else:
            tensors = [tvm.runtime.tensor(np.ascontiguousarray(array), dev) for array in inputs]
        self.output = None
        if output is not None:
            shape, dtype = output
            if guarded:
                self.output = GuardedBuffer(shape, dtype)
                tensors.append(self.output.tensor())
            else:
                tensors.append(tvm.runtime.tensor(np.full(shape, poison(dtype), dtype=dtype), dev))
        self.tensors = tuple(tensors)

    def result(self, returned=None) -> np.ndarray:
        """The output (`returned`, for a kernel that returns its own), after the checks."""
        if any(buffer.raw.tobytes() != before for buffer, before in zip(self.buffers, self.before)):
            raise GuardZoneWritten("the kernel wrote into an input or its guard zones")
        if self.output is not None and not self.output.guard_zones_intact():
            raise GuardZoneWritten("the kernel wrote outside its output buffer (a guard zone changed)")
        if returned is not None:
            return returned.numpy()
        return self.output.array.copy() if self.output is not None else self.tensors[-1].numpy()

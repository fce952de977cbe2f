"""Guarded buffers: kernel inputs sit between NaN guard zones, outputs start as NaN.

A kernel that reads past an input would otherwise see whatever memory follows it: its wrong
output changes from call to call, Hypothesis calls the failure flaky and cannot shrink it.
Reading NaN instead, the same example fails the same way every time. An output element the
kernel never writes stays NaN, and a write past either end of the output lands in a guard
zone, which is checked after the call.

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
    """The kernel wrote outside its output buffer."""


def uses_guard_zones(dev) -> bool:
    """True for the local CPU device, where TVM runs kernels on host memory in place."""
    return dev.dlpack_device_type() == KDL_CPU


def _aligned_bytes(nbytes: int) -> np.ndarray:
    raw = np.empty(nbytes + ALIGN, np.uint8)
    start = (-raw.ctypes.data) % ALIGN
    return raw[start:start + nbytes]


@functools.lru_cache(maxsize=None)
def _guard_zone(dtype: np.dtype) -> bytes:
    """What an untouched guard zone holds: NaNs of `dtype`, as bytes."""
    return np.full(GUARD_BYTES // dtype.itemsize, np.nan, dtype).tobytes()


class GuardedBuffer:
    """One array in the middle of an aligned host buffer; the rest of the buffer is NaN."""

    def __init__(self, shape, dtype):
        self.shape, self.dtype = tuple(shape), np.dtype(dtype)
        size = int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize
        self.raw = _aligned_bytes(GUARD_BYTES + size + GUARD_BYTES)
        self.raw.view(self.dtype).fill(np.nan)
        self.array = self.raw[GUARD_BYTES:GUARD_BYTES + size].view(self.dtype).reshape(self.shape)

    def tensor(self):
        """The middle array as a TVM tensor on the CPU, sharing this buffer's memory."""
        import tvm

        carrier = DLPACK_VIEW.get(self.dtype.name)
        if carrier is None:
            return tvm.runtime.from_dlpack(self.array)
        return tvm.runtime.from_dlpack(self.array.view(carrier))._create_view(self.shape, self.dtype.name)

    def guard_zones_intact(self) -> bool:
        untouched = _guard_zone(self.dtype)
        return (self.raw[:GUARD_BYTES].tobytes() == untouched
                and self.raw[GUARD_BYTES + self.array.nbytes:].tobytes() == untouched)


def input_tensor(array: np.ndarray, dev):
    """`array` on `dev`, between NaN guard zones where the device allows it."""
    import tvm

    if not uses_guard_zones(dev):
        return tvm.runtime.tensor(np.ascontiguousarray(array), dev)
    buffer = GuardedBuffer(array.shape, array.dtype)
    buffer.array[...] = array
    return buffer.tensor()


class OutputTensor:
    """An output filled with NaN before the call; `result()` copies it out after the call
    and raises GuardZoneWritten when the kernel wrote past either end."""

    def __init__(self, shape, dtype, dev):
        import tvm

        self.buffer = GuardedBuffer(shape, dtype) if uses_guard_zones(dev) else None
        if self.buffer is not None:
            self.tensor = self.buffer.tensor()
        else:
            self.tensor = tvm.runtime.tensor(np.full(shape, np.nan, dtype=dtype), dev)

    def result(self) -> np.ndarray:
        if self.buffer is None:
            return self.tensor.numpy()
        if not self.buffer.guard_zones_intact():
            raise GuardZoneWritten("the kernel wrote outside its output buffer (a guard zone changed)")
        return self.buffer.array.copy()

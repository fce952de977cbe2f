"""Guarded buffers: out-of-bounds reads give NaN every time, unwritten outputs stay NaN,
writes past the output or into an input are caught (runner/guarded.py)."""
import numpy as np
import pytest
import tvm
from tvm import te
from tvm.script import tirx as T

from runner.guarded import GUARD_BYTES, GuardedBuffer, GuardZoneWritten, KernelArgs

N = 5


def compiled(prim_func):
    return tvm.compile(prim_func, target={"kind": "llvm"}).jit()["main"]


@pytest.fixture(scope="module")
def reads_one_past_the_end():
    x = te.placeholder((N,), "float32", name="X")
    y = te.compute((N,), lambda i: x[i] + x[i + 1], name="Y")  # TE does not check bounds
    return compiled(te.create_prim_func([x, y]))


@pytest.fixture(scope="module")
def writes_one_past_the_end():
    @T.prim_func
    def main(X: T.Buffer((N,), "float32"), Y: T.Buffer((N,), "float32")):
        for i in range(N):  # no block: the code generator takes the store as written
            Y[i + 1] = X[i]

    return compiled(main)


@pytest.fixture(scope="module")
def clears_its_input():
    @T.prim_func
    def main(X: T.Buffer((N,), "float32"), Y: T.Buffer((N,), "float32")):
        for i in range(N):
            Y[i] = X[i]
            X[i] = T.float32(0)

    return compiled(main)


def call(function, data):
    args = KernelArgs((data,), tvm.cpu(), ((N,), "float32"))
    function(*args.tensors)
    return args.result()


def test_a_read_past_the_input_gives_nan_every_time(reads_one_past_the_end):
    data = np.arange(N, dtype="float32")
    outputs = [call(reads_one_past_the_end, data) for _ in range(20)]
    for out in outputs:
        np.testing.assert_array_equal(out[:-1], data[:-1] + data[1:])
        assert np.isnan(out[-1])


def test_a_write_past_the_output_is_an_error(writes_one_past_the_end):
    with pytest.raises(GuardZoneWritten):
        call(writes_one_past_the_end, np.ones(N, "float32"))


def test_a_write_into_an_input_is_an_error(clears_its_input):
    with pytest.raises(GuardZoneWritten, match="into an input"):
        call(clears_its_input, np.ones(N, "float32"))


def test_an_element_never_written_stays_nan(writes_one_past_the_end):
    args = KernelArgs((np.ones(N, "float32"),), tvm.cpu(), ((N,), "float32"))
    writes_one_past_the_end(*args.tensors)
    assert np.isnan(args.output.array[0]) and (args.output.array[1:] == 1).all()


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
def test_guarded_buffer_round_trips_and_notices_a_changed_guard_byte(dtype):
    buffer = GuardedBuffer((2, 3), dtype)
    values = np.arange(6).reshape(2, 3).astype(dtype)
    buffer.array[...] = values
    tensor = buffer.tensor()
    assert str(tensor.dtype) == dtype and tuple(tensor.shape) == (2, 3)
    np.testing.assert_array_equal(tensor.numpy(), values)
    assert buffer.guard_zones_intact()
    buffer.raw[GUARD_BYTES - 1] ^= 1
    assert not buffer.guard_zones_intact()

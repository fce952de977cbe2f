"""Repro: relax.op.nn.conv{1,2,3}d_transpose refuse an output padding of the stride or more even
where the dilation is larger, a transposed convolution PyTorch defines and computes
(ConvTranspose*d: "output padding must be smaller than either stride or dilation").

Needs numpy and tvm (torch, where installed, shows the same model computed). Exit status 1:
reproduced; 0: fixed (every rank is accepted, compiles, and matches the float64 definition).
"""
import sys

import numpy as np
import tvm
from tvm import relax

# Stride 1, dilation 3, output padding 2 < 3: a valid transposed convolution (depthwise, 2 channels).
C, N_IN, K, STRIDE, DILATION, OUTPUT_PADDING = 2, 4, 2, 1, 3, 2


def expected(x, w, rank):
    """The transposed convolution as the scatter it is, in float64 (output padding: zeros after)."""
    full = (N_IN - 1) * STRIDE + DILATION * (K - 1) + 1 + OUTPUT_PADDING
    out = np.zeros((1, C) + (full,) * rank)
    for index in np.ndindex(*(N_IN,) * rank):
        for tap in np.ndindex(*(K,) * rank):
            at = tuple(i * STRIDE + t * DILATION for i, t in zip(index, tap))
            out[(0, slice(None), *at)] += x[(0, slice(None), *index)] * w[(slice(None), 0, *tap)]
    return out


def attempt(rank: int) -> str | None:
    """None when TVM builds and computes the rank's case right, else what went wrong."""
    spatial = "DHW"[3 - rank:]
    rng = np.random.default_rng(rank)
    x = rng.standard_normal((1, C) + (N_IN,) * rank).astype("float32")
    w = rng.standard_normal((C, 1) + (K,) * rank).astype("float32")
    bb = relax.BlockBuilder()
    xv = relax.Var("x", relax.TensorType(x.shape, "float32"))
    wv = relax.Var("w", relax.TensorType(w.shape, "float32"))
    op = getattr(relax.op.nn, f"conv{rank}d_transpose")
    try:
        with bb.function("main", [xv, wv]):
            y = bb.emit(op(xv, wv, strides=STRIDE, padding=0, output_padding=OUTPUT_PADDING, dilation=DILATION,
                           groups=C, data_layout="NC" + spatial, kernel_layout="IO" + spatial))
            bb.emit_func_output(y)
        executable = tvm.compile(bb.get(), target="llvm")
    except Exception as exc:
        return f"refused: {str(exc).strip().splitlines()[-1][:160]}"
    out = relax.VirtualMachine(executable, tvm.cpu())["main"](tvm.runtime.tensor(x), tvm.runtime.tensor(w)).numpy()
    want = expected(x.astype(np.float64), w.astype(np.float64), rank)
    if out.shape != want.shape or not np.allclose(out, want, rtol=1e-5, atol=1e-5):
        return f"wrong output: shape {out.shape}, expected {want.shape}"
    return None


def main() -> int:
    try:
        import torch

        shape = tuple(torch.nn.ConvTranspose2d(C, C, K, stride=STRIDE, dilation=DILATION,
                                               output_padding=OUTPUT_PADDING, groups=C)(torch.ones(1, C, N_IN, N_IN)).shape)
        print(f"torch.nn.ConvTranspose2d computes this case: output {shape}")
    except ImportError:
        pass
    problems = {rank: attempt(rank) for rank in (1, 2, 3)}
    for rank, problem in problems.items():
        print(f"conv{rank}d_transpose (stride {STRIDE}, dilation {DILATION}, output_padding {OUTPUT_PADDING}): "
              f"{problem or 'accepted and right'}")
    if any(problems.values()):
        print("REPRODUCED: a valid transposed convolution is refused or wrong")
        return 1
    print("NOT REPRODUCED: every rank is accepted and computed right")
    return 0


if __name__ == "__main__":
    sys.exit(main())

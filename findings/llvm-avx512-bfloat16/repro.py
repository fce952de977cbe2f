"""Heap corruption: a bfloat16 depthwise convolution (topi.nn.depthwise_conv2d_nchw; also
group_conv2d_nchw with groups = C) compiled for llvm with an AVX-512 mcpu that prefers 256-bit
vectors (skylake-avx512, the default here; sapphirerapids, emeraldrapids). Needs numpy + tvm and
a CPU that executes AVX-512 (F, CD, BW, DQ, VL); run with MALLOC_CHECK_=3.
Usage: repro.py [mcpu]   (e.g. znver5: no corruption seen).

Exit status 0: no corruption seen; a glibc abort ("free(): invalid pointer", "double free or
corruption"): reproduced. Found by dwconf (findings/llvm-avx512-bfloat16.md).
"""
import sys

import ml_dtypes  # noqa: F401
import numpy as np
import tvm
from tvm import te, topi

N, C, H, W, KH, KW = 1, 9, 16, 21, 3, 1
STRIDE, PADDING = (4, 3), (1, 2, 0, 2)  # (top, left, bottom, right)
OH = (H + PADDING[0] + PADDING[2] - KH) // STRIDE[0] + 1
OW = (W + PADDING[1] + PADDING[3] - KW) // STRIDE[1] + 1

X = te.placeholder((N, C, H, W), "bfloat16", name="X")
K = te.placeholder((C, 1, KH, KW), "bfloat16", name="K")
Y = topi.nn.depthwise_conv2d_nchw(X, K, STRIDE, PADDING, (1, 1), "bfloat16")
MCPU = sys.argv[1] if len(sys.argv) > 1 else "skylake-avx512"
target = tvm.target.Target({"kind": "llvm", "mcpu": MCPU})
print("target", target)
f = tvm.compile(te.create_prim_func([X, K, Y]), target=target).jit()["main"]
rng = np.random.default_rng(0)
for attempt in range(20):
    x = tvm.runtime.tensor(rng.standard_normal((N, C, H, W)).astype("bfloat16"))
    k = tvm.runtime.tensor(rng.standard_normal((C, 1, KH, KW)).astype("bfloat16"))
    y = tvm.runtime.empty((N, C, OH, OW), "bfloat16", tvm.cpu())
    f(x, k, y)
    y.numpy()
    del x, k, y
print("no corruption seen")

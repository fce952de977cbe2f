"""Heap corruption: a bfloat16 depthwise convolution (topi.nn.depthwise_conv2d_nchw; also
group_conv2d_nchw with groups = C) compiled for llvm with an AVX-512 mcpu that prefers 256-bit
vectors (skylake-avx512, the default here; sapphirerapids, emeraldrapids). Needs numpy + tvm and
a CPU that executes AVX-512 (F, CD, BW, DQ, VL).
Usage: repro.py [mcpu]   (e.g. znver5: no corruption seen).

The kernel runs in a child process (run with MALLOC_CHECK_=3): exit status 1, REPRODUCED, when
it dies (a glibc abort: "free(): invalid pointer", "corrupted size vs. prev_size"); 0, NOT
REPRODUCED, when 200 calls leave the heap intact (glibc notices the corruption on most calls, not
all: one CI run in many saw 20 calls pass); 77, CANNOT RUN HERE, on a CPU without AVX-512.
Found by dwconf (findings/llvm-avx512-bfloat16.md).
"""
import os
import subprocess
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
AVX512 = ("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl")
CALLS = 200


def run_kernel(mcpu: str) -> None:
    """Build for `mcpu` and call the kernel CALLS times (in the child process)."""
    target = tvm.target.Target({"kind": "llvm", "mcpu": mcpu})
    print("target", target)
    f = tvm.compile(te.create_prim_func([X, K, Y]), target=target).jit()["main"]
    rng = np.random.default_rng(0)
    for attempt in range(CALLS):
        x = tvm.runtime.tensor(rng.standard_normal((N, C, H, W)).astype("bfloat16"))
        k = tvm.runtime.tensor(rng.standard_normal((C, 1, KH, KW)).astype("bfloat16"))
        y = tvm.runtime.empty((N, C, OH, OW), "bfloat16", tvm.cpu())
        f(x, k, y)
        y.numpy()
        del x, k, y


def main() -> int:
    mcpu = sys.argv[1] if len(sys.argv) > 1 else "skylake-avx512"
    if sys.argv[2:] == ["--child"]:
        run_kernel(mcpu)
        return 0
    flags = open("/proc/cpuinfo").read().split()
    missing = [f for f in AVX512 if f not in flags]
    if missing:
        print(f"CANNOT RUN HERE: this CPU lacks {', '.join(missing)}")
        return 77
    child = subprocess.run([sys.executable, __file__, mcpu, "--child"], capture_output=True, text=True,
                           env={**os.environ, "MALLOC_CHECK_": "3"})
    print(child.stdout.strip())
    if child.returncode > 0:
        print(f"BROKEN: the child failed without crashing: {child.stderr.strip()[-300:]}")
        return 2
    if child.returncode < 0:
        glibc = [line for line in child.stderr.splitlines() if line.strip()][-1:]
        print(f"REPRODUCED: the bfloat16 kernel built for mcpu={mcpu} died (exit status {child.returncode}): "
              f"{'; '.join(glibc)}")
        return 1
    print(f"NOT REPRODUCED: {CALLS} calls of the kernel built for mcpu={mcpu} left the heap intact")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Repro: torch's CPU convolution backward for the weight of a strided 1x1 convolution corrupts
the heap: oneDNN's jit_avx2_1x1_convolution_bwd_weights writes out of bounds (valgrind:
"Invalid write of size 4" under jit_avx2_1x1_convolution_bwd_weights_t::execute_backward_weights).
glibc notices it some calls later ("corrupted size vs. prev_size", "munmap_chunk(): invalid
pointer") and aborts. With oneDNN disabled (torch.backends.mkldnn.flags(enabled=False)) the same
loop runs clean.

Needs numpy and torch on an x86-64 CPU with AVX2. oneDNN's ISA is pinned to AVX2
(ONEDNN_MAX_CPU_ISA), so an AVX-512 host runs the same kernel. Runs the loop in a child process.
Exit status 1: reproduced (the child died, or hung); 0: not reproduced.
"""
import os
import subprocess
import sys

CHILD = r'''
import sys
import numpy as np
import torch
from torch.nn.grad import conv2d_weight

torch.set_num_threads(1)
mkldnn = sys.argv[1] == "on"
# dwconf's shrunk case: a 1x1 depthwise convolution, 1 channel, stride (2, 1), padding (2, 2, 1, 1),
# input 2 x 15 x 14 (NHWC in the suite, transposed to NCHW as here).
rng = np.random.default_rng(0)
data = rng.standard_normal((2, 15, 14, 1)).clip(-4, 4).astype(np.float32)
grad = rng.standard_normal((2, 9, 17, 1)).clip(-4, 4).astype(np.float32)
with torch.backends.mkldnn.flags(enabled=mkldnn):
    for _ in range(3000):
        x = torch.from_numpy(np.ascontiguousarray(data.transpose(0, 3, 1, 2)))
        g = torch.from_numpy(np.ascontiguousarray(grad.transpose(0, 3, 1, 2)))
        padded = torch.nn.functional.pad(x, (2, 1, 2, 1))
        conv2d_weight(padded, (1, 1, 1, 1), g, stride=(2, 1))
print("clean")
'''


# The clean loop takes seconds; a corrupted heap sometimes deadlocks glibc's allocator instead of
# aborting (measured: a cold conformance run waited 300 s on it), which reproduces it too.
TIMEOUT = 60


def run_child(mode: str, env: dict) -> tuple[int | str, str]:
    """(exit status, or "hung"; its last line of output) of the loop with oneDNN `mode`."""
    try:
        run = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True, timeout=TIMEOUT,
                             env=env)
    except subprocess.TimeoutExpired:
        return "hung", f"no exit within {TIMEOUT} s (killed)"
    last = (run.stdout + run.stderr).strip().splitlines()[-1:] or [""]
    return run.returncode, last[0][:120]


def main() -> int:
    env = {**os.environ, "ONEDNN_MAX_CPU_ISA": "AVX2"}
    runs = {mode: run_child(mode, env) for mode in ("on", "off")}
    for mode, (status, last) in runs.items():
        print(f"oneDNN {mode}: exit status {status}: {last}")
    if runs["on"][0] != 0:
        print("REPRODUCED: the 1x1 backward-weights loop died or hung with oneDNN enabled")
        return 1
    print("NOT REPRODUCED: the loop ran clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Repro: torch's CPU conv2d (oneDNN, AVX-512 kernels) computes a wrong result when a size-1 axis
of its input has a channels-last-looking stride.

x (1, 1, 7, 7) and y = x.as_strided((1, 1, 7, 7), (49, 1, 7, 1)) hold the same values (y's odd
stride is on its size-1 channel axis, as np.ascontiguousarray of an NHWC array with C = 1 leaves
it), yet conv2d(y, k, stride=(1, 2)) with a 5x6 kernel returns rows shifted, the last one garbage.
oneDNN is pinned to AVX-512 (ONEDNN_MAX_CPU_ISA=AVX512_CORE) in a child process, so the verdict
is the same on any host that executes AVX-512; with AVX2, or oneDNN off, the result is right.

Needs numpy and torch. Exit status 1: REPRODUCED; 0: NOT REPRODUCED; 77: CANNOT RUN HERE (no
AVX-512 on this CPU). Found by dwconf (findings/torch-onednn-avx512-size1-strides.md).
"""
import os
import subprocess
import sys

ISA = "AVX512_CORE"
NEEDS = ("avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd")  # oneDNN's avx512_core


def child() -> None:
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(1, 1, 7, 7, generator=gen)
    k = torch.randn(1, 1, 5, 6, generator=gen)
    y = x.as_strided((1, 1, 7, 7), (49, 1, 7, 1))
    assert torch.equal(x, y)
    exact = F.conv2d(x.double(), k.double(), stride=(1, 2))
    # float32 against float64: |error| <= gamma_30(float32) * sum|x||k| (Higham), far below 1e-4 here
    bound = 30 * 2.0**-24 / (1 - 30 * 2.0**-24) * F.conv2d(x.double().abs(), k.double().abs(), stride=(1, 2))
    for name, tensor in (("canonical strides", x), ("size-1 axis strided", y)):
        error = (F.conv2d(tensor, k, stride=(1, 2)).double() - exact).abs()
        print(f"{name}: max error {error.max().item():.3g}, {int((error > bound).sum())} of {error.numel()} "
              f"elements outside the bound")


def main() -> int:
    if sys.argv[1:] == ["--child"]:
        child()
        return 0
    flags = open("/proc/cpuinfo").read().split()
    missing = [f for f in NEEDS if f not in flags]
    if missing:
        print(f"CANNOT RUN HERE: this CPU lacks {', '.join(missing)}, so oneDNN cannot run its {ISA} kernels")
        return 77
    run = subprocess.run([sys.executable, __file__, "--child"], capture_output=True, text=True,
                         env={**os.environ, "ONEDNN_MAX_CPU_ISA": ISA})
    if run.returncode != 0:
        print(f"BROKEN: the child failed: {run.stderr.strip()[-300:]}")
        return 2
    print(f"ONEDNN_MAX_CPU_ISA={ISA}")
    print(run.stdout.strip())
    control, strided = run.stdout.strip().splitlines()
    if " 0 of " not in control:
        print("BROKEN: the canonical-stride control is wrong too: a different problem")
        return 2
    if " 0 of " not in strided:
        print("REPRODUCED: conv2d of the same values is wrong when the size-1 channel axis has stride 1")
        return 1
    print("NOT REPRODUCED: both layouts of the input give the right convolution")
    return 0


if __name__ == "__main__":
    sys.exit(main())

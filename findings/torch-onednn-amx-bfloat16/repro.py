"""Repro: torch's CPU conv2d computes a bfloat16 depthwise convolution wrong when oneDNN may use
AMX (Sapphire Rapids and later): NCHW data (3, 3, 1, 2), a 5x2 kernel, multiplier 3 (groups 3,
9 output channels), padding (10, 1), stride 2, dilation 2; wrong by up to 2.8 with
ONEDNN_MAX_CPU_ISA=AVX512_CORE_AMX (or unset on such a CPU), right with AVX512_CORE_FP16 or
any lower ISA, and with oneDNN off.

oneDNN is pinned to AMX in a child process, so the verdict is the same on every host with AMX.
Needs numpy and torch. Exit status 1: REPRODUCED; 0: NOT REPRODUCED; 77: CANNOT RUN HERE (no AMX
on this CPU). Found by dwconf (findings/torch-onednn-amx-bfloat16.md).
"""
import os
import subprocess
import sys

ISA = "AVX512_CORE_AMX"
NEEDS = ("amx_bf16", "amx_tile", "avx512f", "avx512_bf16")


def child() -> None:
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(3, 3, 1, 2, generator=gen).clamp(-4, 4).bfloat16()
    w = torch.randn(9, 1, 5, 2, generator=gen).clamp(-4, 4).bfloat16()
    how = dict(stride=2, padding=(10, 1), dilation=2, groups=3)
    exact = F.conv2d(x.double(), w.double(), **how)
    # bfloat16 against float64, 10 products a sum: |error| <= 2 * gamma_10(bfloat16) * sum|x||w| (Higham)
    u = 2.0**-8
    bound = 2 * 10 * u / (1 - 10 * u) * F.conv2d(x.double().abs(), w.double().abs(), **how)
    for enabled in (False, True):
        with torch.backends.mkldnn.flags(enabled=enabled):
            error = (F.conv2d(x, w, **how).double() - exact).abs()
        print(f"oneDNN {'on' if enabled else 'off'}: max error {error.max().item():.3g}, "
              f"{int((error > bound).sum())} of {error.numel()} elements outside the bound")


def main() -> int:
    if sys.argv[1:] == ["--child"]:
        child()
        return 0
    flags = open("/proc/cpuinfo").read().split()
    missing = [f for f in NEEDS if f not in flags]
    if missing:
        print(f"CANNOT RUN HERE: this CPU lacks {', '.join(missing)}, so oneDNN cannot run its {ISA} kernels")
        return 77
    run = subprocess.run([sys.executable, "-W", "ignore", __file__, "--child"], capture_output=True, text=True,
                         env={**os.environ, "ONEDNN_MAX_CPU_ISA": ISA})
    if run.returncode != 0:
        print(f"BROKEN: the child failed: {run.stderr.strip()[-300:]}")
        return 2
    print(f"ONEDNN_MAX_CPU_ISA={ISA}")
    print(run.stdout.strip())
    control, amx = run.stdout.strip().splitlines()
    if " 0 of " not in control:
        print("BROKEN: the oneDNN-off control is wrong too: a different problem")
        return 2
    if " 0 of " not in amx:
        print("REPRODUCED: the bfloat16 depthwise convolution is wrong with oneDNN's AMX kernels")
        return 1
    print("NOT REPRODUCED: the bfloat16 depthwise convolution is right with oneDNN's AMX kernels")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Known upstream problems found by dwconf, each a strict xfail naming its report.

A strict xfail fails the run when the problem is fixed upstream, so the entry (and the
target or reference restriction it justifies) gets removed instead of lingering.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kernels.build import build
from kernels.registry import KERNELS
from strategies.case import DepthwiseCase
from targets.discovery import discover_targets

TARGETS = {t.name: t for t in discover_targets()}


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.xfail(strict=True, reason="reports/findings/c-target-codegen.md")
def test_c_target_compiles_half_precision(dtype):
    c = TARGETS["c"]
    if not c.available:
        pytest.skip(f"c: {c.why_unavailable}")
    compiled = build(KERNELS["topi_nchw"], DepthwiseCase(dtype=dtype), c)
    assert compiled.runnable


@pytest.mark.xfail(strict=True, reason="reports/findings/llvm-avx512-bfloat16.md")
def test_bfloat16_on_avx512_llvm_leaves_the_heap_intact():
    from targets.discovery import host_has_avx512

    if not host_has_avx512():
        pytest.skip("the host has no AVX-512")
    repro = Path(__file__).resolve().parents[1] / "reports/findings/llvm-avx512-bfloat16/repro.py"
    run = subprocess.run([sys.executable, str(repro)], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "MALLOC_CHECK_": "3"})
    assert run.returncode == 0, run.stdout[-500:] + run.stderr[-500:]


@pytest.mark.xfail(strict=True, reason="reports/findings/vectorized-loop-local-buffer.md")
def test_vectorized_loop_over_a_local_buffer_is_right():
    repro = Path(__file__).resolve().parents[1] / "reports/findings/vectorized-loop-local-buffer/repro.py"
    run = subprocess.run([sys.executable, str(repro)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-500:] + run.stderr[-500:]


@pytest.mark.xfail(strict=True, reason="reports/findings/dlight-depthwise-conv2d.md")
def test_relax_depthwise_conv2d_compiles_for_gpu_targets():
    repro = Path(__file__).resolve().parents[1] / "reports/findings/dlight-depthwise-conv2d/repro.py"
    run = subprocess.run([sys.executable, str(repro)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-800:] + run.stderr[-500:]


def test_every_known_failure_names_an_existing_finding():
    from conformance.known_failures import KNOWN_FAILURES

    root = Path(__file__).resolve().parents[1]
    for known in KNOWN_FAILURES:
        assert (root / known.finding).is_file(), known.finding


@pytest.mark.xfail(strict=True, reason="reports/findings/dlight-metal-segfault.md")
def test_float16_relax_depthwise_conv2d_compiles_for_metal():
    repro = Path(__file__).resolve().parents[1] / "reports/findings/dlight-metal-segfault/repro.py"
    run = subprocess.run([sys.executable, str(repro)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"exit status {run.returncode}"


@pytest.mark.xfail(strict=True, reason="reports/findings/c-target-codegen.md")
def test_c_target_compiles_vectorized_loops():
    import tvm
    from tvm import te

    c = TARGETS["c"]
    if not c.available:
        pytest.skip(f"c: {c.why_unavailable}")
    X = te.placeholder((2,), name="X")
    Y = te.compute((2,), lambda i: X[i] * 2, name="Y")
    sch = tvm.s_tir.Schedule(te.create_prim_func([X, Y]))
    sch.vectorize(sch.get_loops(sch.get_sblock("Y"))[0])
    tvm.compile(sch.mod, target=c.tvm_target()).jit()

"""Known upstream problems found by dwconf, each a strict xfail naming its report.

A strict xfail fails the run when the problem is fixed upstream, so the entry (and the
target or reference restriction it justifies) gets removed instead of lingering. Each test is
marked with the kernels and targets its finding is about (None: any): it runs when the run's
selection has one of each, and always under `--findings` (conftest.py).
Every verdict here is the same on any host that can run the test: what triggers a finding
(an mcpu, a target) is pinned, and a test skips only where this host cannot execute that code.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from runner.build import build
from kernels.registry import KERNELS
from model.case import DepthwiseCase
from findings.table import AVX512_BF16_MEASURED, KNOWN_FAILURES, prefers_256_bit_avx512
from targets.cpu import missing_on_host
from targets.discovery import discover_targets, llvm_mcpu_features

TARGETS = {t.name: t for t in discover_targets()}
ROOT = Path(__file__).resolve().parents[1]
GPU_TARGETS = ("cuda", "opencl", "metal")


def run_repro(name: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """A finding's repro.py in a child process (a crash there is the repro's exit status)."""
    return subprocess.run([sys.executable, str(ROOT / "findings" / name / "repro.py"), *args], capture_output=True,
                          text=True, timeout=300, env={**os.environ, **env})


@pytest.mark.finding(kernels=None, targets=("c",))
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.xfail(strict=True, reason="findings/c-target-codegen.md")
def test_c_target_compiles_half_precision(dtype):
    c = TARGETS["c"]
    if not c.available:
        pytest.skip(f"c: {c.why_unavailable}")
    compiled = build(KERNELS["topi_nchw"], DepthwiseCase(dtype=dtype), c)
    assert compiled.runnable


# The finding's first measured mcpu: pinned, so the verdict does not depend on the host's CPU.
AVX512_MCPU = "skylake-avx512"


@pytest.mark.finding(kernels=None, targets=("llvm-native",))
@pytest.mark.xfail(strict=True, reason="findings/llvm-avx512-bfloat16.md")
def test_bfloat16_built_for_skylake_avx512_leaves_the_heap_intact():
    missing = missing_on_host(AVX512_MCPU)
    if missing:
        pytest.skip(f"this host cannot execute mcpu={AVX512_MCPU} code (no {', '.join(missing)})")
    run = run_repro("llvm-avx512-bfloat16", AVX512_MCPU, MALLOC_CHECK_="3")
    assert run.returncode == 0, run.stdout[-500:] + run.stderr[-500:]


@pytest.mark.finding(kernels=None, targets=("llvm-native",))
@pytest.mark.parametrize("mcpu, corrupts", sorted(AVX512_BF16_MEASURED.items()))
def test_avx512_bfloat16_exclusion_agrees_with_every_measured_mcpu(mcpu, corrupts):
    assert prefers_256_bit_avx512(llvm_mcpu_features({"kind": "llvm", "mcpu": mcpu})) == corrupts


@pytest.mark.finding(kernels=("seed_te_cpu_tiled",), targets=("llvm",))
@pytest.mark.xfail(strict=True, reason="findings/vectorized-loop-local-buffer.md")
def test_vectorized_loop_over_a_local_buffer_is_right():
    run = run_repro("vectorized-loop-local-buffer")
    assert run.returncode == 0, run.stdout[-500:] + run.stderr[-500:]


@pytest.mark.finding(kernels=("relax_conv2d", "torch_export"), targets=GPU_TARGETS)
@pytest.mark.xfail(strict=True, reason="findings/dlight-depthwise-conv2d.md")
def test_relax_depthwise_conv2d_compiles_for_gpu_targets():
    run = run_repro("dlight-depthwise-conv2d")
    assert run.returncode == 0, run.stdout[-800:] + run.stderr[-500:]


@pytest.mark.finding(kernels=("relax_conv2d", "torch_export"), targets=("cuda",))
@pytest.mark.xfail(strict=True, reason="findings/dlight-gemv-rfactor-transposed.md")
def test_dlight_rfactor_stages_bind_the_same_outputs():
    # The static check (scheduled TIR, no GPU) decides on every host; where a CUDA device exists
    # the repro also runs the kernel, and either one reproducing makes it exit 1.
    run = run_repro("dlight-gemv-rfactor-transposed")
    assert run.returncode == 0, run.stdout[-800:] + run.stderr[-500:]


def test_every_finding_is_written_up_and_every_known_failure_and_exclusion_cites_one():
    from findings.table import EXCLUSIONS, FINDINGS

    index = (ROOT / "findings/README.md").read_text()
    for finding in FINDINGS:
        assert (ROOT / finding.path).is_file(), finding.path
        assert f"]({finding.name}.md)" in index, f"findings/README.md does not list {finding.name}"
    for entry in (*KNOWN_FAILURES, *EXCLUSIONS):
        assert entry.finding is None or entry.finding in FINDINGS, entry


# Slow: dlight's Metal matmul rule imports tvm.s_tir.tensor_intrin first, 45 s on this host
# (its TVMScript parser calls inspect.stack() for every intrinsic), then segfaults.
@pytest.mark.finding(kernels=("relax_conv2d",), targets=("metal",), slow="45 s importing tvm.s_tir.tensor_intrin")
@pytest.mark.xfail(strict=True, reason="findings/dlight-metal-segfault.md")
def test_float16_relax_depthwise_conv2d_compiles_for_metal():
    run = run_repro("dlight-metal-segfault")
    assert run.returncode == 0, f"exit status {run.returncode}"


@pytest.mark.finding(kernels=("seed_te_cpu_tiled",), targets=("c",))
@pytest.mark.xfail(strict=True, reason="findings/c-target-codegen.md")
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


REFUSAL_FINDINGS = (("topi_nchw", "topi-depthwise-accepts-invalid"), ("relax_conv2d", "relax-conv2d-accepts-invalid"))


def repro_inputs(name: str) -> list:
    """The invalid inputs a refusal finding's repro.py tries (its INPUTS), one per defect."""
    import ast

    tree = ast.parse((ROOT / "findings" / name / "repro.py").read_text())
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "INPUTS")
    return ast.literal_eval(node.value)


@pytest.mark.parametrize("path, finding", REFUSAL_FINDINGS)
def test_refusal_findings_match_their_known_failures(path, finding):
    from findings.table import known_failure

    for conv in repro_inputs(finding):
        known = known_failure(f"refuse:{path}", "llvm", f"{conv['defect']}: accepted: ...")
        assert known is not None and known.finding.name == finding, conv["defect"]


@pytest.mark.parametrize("path, conv", [
    pytest.param(path, conv, id=f"{path}-{conv['defect']}",
                 marks=[pytest.mark.finding(kernels=(path,), targets=("llvm",)),
                        pytest.mark.xfail(strict=True, reason=f"findings/{finding}.md")])
    for path, finding in REFUSAL_FINDINGS for conv in repro_inputs(finding)])
def test_invalid_input_is_refused(path, conv):
    from kernels.refusal_paths import REFUSAL_PATHS

    verdict, what = REFUSAL_PATHS[path].attempt(conv, {"kind": "llvm"}, True)
    assert verdict == "refused", what


@pytest.mark.finding(kernels=("relax_block",), targets=None)
@pytest.mark.xfail(strict=True, reason="findings/topi-conv-spatial-axis-order.md")
def test_layouts_with_w_before_h_convolve_right():
    run = run_repro("topi-conv-spatial-axis-order")
    assert run.returncode == 0, run.stdout[-800:] + run.stderr[-500:]


def test_the_layout_exclusion_is_what_the_repro_shows():
    """The excluded layouts are exactly those with W before H: the control layouts are drawn."""
    from findings.table import layout_exclusion
    from kernels.relax_block import ALL_DATA_LAYOUTS, ALL_KERNEL_LAYOUTS, DATA_LAYOUTS, KERNEL_LAYOUTS

    assert {"NCHW", "NHWC"} <= set(DATA_LAYOUTS) and {"OIHW", "HWOI", "OHWI", "HWIO"} <= set(KERNEL_LAYOUTS)
    for layout in ALL_DATA_LAYOUTS + ALL_KERNEL_LAYOUTS:
        assert (layout_exclusion(layout) is not None) == (layout.index("W") < layout.index("H")), layout
    assert len(DATA_LAYOUTS) == len(KERNEL_LAYOUTS) == 12


@pytest.mark.finding(kernels=("relax_block",), targets=None)
@pytest.mark.xfail(strict=True, reason="findings/relax-conv2d-out-layout.md")
def test_conv2d_with_another_out_layout_compiles():
    run = run_repro("relax-conv2d-out-layout")
    assert run.returncode == 0, run.stdout[-800:] + run.stderr[-500:]


def test_the_out_layout_known_failure_matches_the_repro():
    from findings.table import known_failure

    run = run_repro("relax-conv2d-out-layout")
    if run.returncode == 0:
        pytest.skip("fixed upstream: test_conv2d_with_another_out_layout_compiles says so")
    known = known_failure("relax_block", "llvm", run.stdout)
    assert known is not None and known.finding.name == "relax-conv2d-out-layout", run.stdout


@pytest.mark.finding(kernels=("relax_block",), targets=None)
@pytest.mark.xfail(strict=True, reason="findings/relax-show-meta-segfault.md")
def test_a_module_with_a_constant_prints_with_its_metadata():
    run = run_repro("relax-show-meta-segfault")
    assert run.returncode == 0, run.stdout[-800:] + run.stderr[-500:]


# Findings whose repro alone says whether they hold (exit 0: fixed): (finding, kernels, targets),
# None for any. Each is a strict xfail of its own, marked with what it is about.
PLAIN_REPROS = (
    ("c-codegen-float-constants", None, ("c",)),
    ("torch-frontend-conv-float32", ("torch_export",), None),
    ("onnx-clip-bfloat16-isnan", ("onnx_import",), None),
    ("relax-batch-norm-float16", ("onnx_import", "relax_block"), None),
)


@pytest.mark.parametrize("name", [
    pytest.param(name, id=name, marks=[pytest.mark.finding(kernels=kernels, targets=targets),
                                       pytest.mark.xfail(strict=True, reason=f"findings/{name}.md")])
    for name, kernels, targets in PLAIN_REPROS])
def test_the_finding_no_longer_reproduces(name):
    run = run_repro(name)
    assert run.returncode == 0, run.stdout[-800:] + run.stderr[-500:]


@pytest.mark.finding(kernels=("topi_backward_input_nhwc", "topi_backward_weight_nhwc"), targets=None)
@pytest.mark.xfail(strict=True, reason="findings/torch-onednn-1x1-backward-weights.md")
def test_torch_1x1_backward_weights_keeps_the_heap_intact():
    if missing_on_host("haswell"):  # the repro pins oneDNN to AVX2; it needs a host that runs it
        pytest.skip(f"this host cannot execute AVX2 code (no {', '.join(missing_on_host('haswell'))})")
    run = run_repro("torch-onednn-1x1-backward-weights")
    assert run.returncode == 0, run.stdout[-800:] + run.stderr[-500:]

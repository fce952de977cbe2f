"""Known upstream problems found by dwconf, each a strict xfail naming its report.

A strict xfail fails the run when the problem is fixed upstream, so the entry (and the
target or reference restriction it justifies) gets removed instead of lingering. Each test is
marked with the kernels and targets its finding is about (None: any): it runs when the run's
selection has one of each, and always under `--findings` (conftest.py).
Every verdict here is the same on any host that can run the test: what triggers a finding
(an mcpu, a target, oneDNN's instruction set) is pinned, and a test skips only where this host
cannot execute that code. A repro reaches a verdict, its last line: REPRODUCED (exit 1), NOT
REPRODUCED (exit 0) or CANNOT RUN HERE (exit 77: a visible skip); anything else (a traceback, an
API that does not exist) is a broken repro, and the test errs instead of counting as reproduced.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from runner.build import build
from kernels.registry import KERNELS
from model.case import DepthwiseCase
from findings.table import AVX512_BF16_MEASURED, FINDINGS, KNOWN_FAILURES, prefers_256_bit_avx512
from targets.cpu import missing_on_host
from targets.discovery import discover_targets, llvm_mcpu_features

TARGETS = {t.name: t for t in discover_targets()}
ROOT = Path(__file__).resolve().parents[1]
GPU_TARGETS = ("cuda", "opencl", "metal")


VERDICTS = {"NOT REPRODUCED": 0, "CANNOT RUN HERE": 77, "REPRODUCED": 1}  # a repro's last line -> exit status


class BrokenRepro(Exception):
    """A repro ended without a verdict (not an AssertionError: the strict xfails do not take it)."""


def repro_verdict(run: subprocess.CompletedProcess) -> str:
    """The verdict a repro's run reached; BrokenRepro when it reached none, or its exit status disagrees."""
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    last = lines[-1].upper() if lines else ""
    verdict = next((v for v in VERDICTS if last.startswith(v)), None)
    if verdict is None or VERDICTS[verdict] != run.returncode:
        raise BrokenRepro(f"no verdict (exit status {run.returncode}): {run.stdout[-500:]} {run.stderr[-800:]}")
    return verdict


def run_repro(name: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """A finding's repro.py in a child process, once it reached its verdict (CANNOT RUN HERE: a skip)."""
    run = subprocess.run([sys.executable, str(ROOT / "findings" / name / "repro.py"), *args], capture_output=True,
                         text=True, timeout=300, env={**os.environ, **env})
    if repro_verdict(run) == "CANNOT RUN HERE":
        pytest.skip(f"{name}: {run.stdout.strip().splitlines()[-1]}")
    return run


def finding_xfail(name: str, raises=AssertionError):
    """A strict xfail on an AssertionError only: a repro with no verdict is an error, not an xfail
    (`raises` None: a test that calls TVM itself, whose error is the finding)."""
    return pytest.mark.xfail(strict=True, raises=raises, reason=f"findings/{name}.md")


@pytest.mark.finding(kernels=None, targets=("c",))
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@finding_xfail("c-target-codegen", raises=None)
def test_c_target_compiles_half_precision(dtype):
    c = TARGETS["c"]
    if not c.available:
        pytest.skip(f"c: {c.why_unavailable}")
    compiled = build(KERNELS["topi_nchw"], DepthwiseCase(dtype=dtype), c)
    assert compiled.runnable


# The finding's first measured mcpu: pinned, so the verdict does not depend on the host's CPU.
AVX512_MCPU = "skylake-avx512"


@pytest.mark.finding(kernels=None, targets=("llvm-native",))
@finding_xfail("llvm-avx512-bfloat16")
def test_bfloat16_built_for_skylake_avx512_leaves_the_heap_intact():
    missing = missing_on_host(AVX512_MCPU)
    if missing:
        pytest.skip(f"this host cannot execute mcpu={AVX512_MCPU} code (no {', '.join(missing)})")
    run = run_repro("llvm-avx512-bfloat16", AVX512_MCPU)
    assert run.returncode == 0, run.stdout[-500:] + run.stderr[-500:]


@pytest.mark.finding(kernels=None, targets=("llvm-native",))
@pytest.mark.parametrize("mcpu, corrupts", sorted(AVX512_BF16_MEASURED.items()))
def test_avx512_bfloat16_exclusion_agrees_with_every_measured_mcpu(mcpu, corrupts):
    assert prefers_256_bit_avx512(llvm_mcpu_features({"kind": "llvm", "mcpu": mcpu})) == corrupts


@pytest.mark.finding(kernels=("seed_te_cpu_tiled",), targets=("llvm",))
@finding_xfail("vectorized-loop-local-buffer")
def test_vectorized_loop_over_a_local_buffer_is_right():
    run = run_repro("vectorized-loop-local-buffer")
    assert run.returncode == 0, run.stdout[-500:] + run.stderr[-500:]


@pytest.mark.finding(kernels=("relax_conv2d", "torch_export"), targets=GPU_TARGETS)
@finding_xfail("dlight-depthwise-conv2d")
def test_relax_depthwise_conv2d_compiles_for_gpu_targets():
    run = run_repro("dlight-depthwise-conv2d")
    assert run.returncode == 0, run.stdout[-800:] + run.stderr[-500:]


@pytest.mark.finding(kernels=("relax_conv2d", "torch_export"), targets=("cuda",))
@finding_xfail("dlight-gemv-rfactor-transposed")
def test_dlight_rfactor_stages_bind_the_same_outputs():
    # The static check (scheduled TIR, no GPU) decides on every host; where a CUDA device exists
    # the repro also runs the kernel, and either one reproducing makes it exit 1.
    run = run_repro("dlight-gemv-rfactor-transposed")
    assert run.returncode == 0, run.stdout[-800:] + run.stderr[-500:]


def test_every_finding_is_written_up_and_every_known_failure_and_exclusion_cites_one():
    from findings.table import EXCLUSIONS

    index = (ROOT / "findings/README.md").read_text()
    for finding in FINDINGS:
        assert (ROOT / finding.path).is_file(), finding.path
        assert f"]({finding.name}.md)" in index, f"findings/README.md does not list {finding.name}"
    for entry in (*KNOWN_FAILURES, *EXCLUSIONS):
        assert entry.finding is None or entry.finding in FINDINGS, entry


@pytest.mark.finding(kernels=("seed_te_cpu_tiled",), targets=("c",))
@finding_xfail("c-target-codegen", raises=None)
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


REFUSAL_FINDINGS = ("topi-depthwise-accepts-invalid", "relax-conv2d-accepts-invalid", "conv-transpose-accepts-invalid")


def repro_inputs(name: str) -> list:
    """The invalid inputs a refusal finding's repro.py tries (its INPUTS): each with the refusal
    path it was found on."""
    import ast

    tree = ast.parse((ROOT / "findings" / name / "repro.py").read_text())
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "INPUTS")
    return ast.literal_eval(node.value)


def refusal_kernel(conv: dict) -> str:
    """The matrix row's kernel of the op a refusal input was tried on (what -k and --kernels select)."""
    return conv["path"] if conv["member"] == "conv2d" else f"{conv['path'].split('_')[0]}_{conv['member']}"


@pytest.mark.parametrize("finding", REFUSAL_FINDINGS)
def test_refusal_findings_match_their_known_failures(finding):
    from findings.table import known_failure

    for conv in repro_inputs(finding):
        message = f"{conv['member']} {conv['defect']}: accepted: ..."  # as conformance/refusals.py writes it
        known = known_failure(frozenset({f"refuse:{conv['path']}"}), "llvm", message)
        assert known is not None and known.finding.name == finding, (conv["path"], message)


@pytest.mark.parametrize("conv", [
    pytest.param(conv, id=f"{conv['path']}-{conv['member']}-{conv['defect']}",
                 marks=[pytest.mark.finding(kernels=(refusal_kernel(conv),), targets=("llvm",)), finding_xfail(finding)])
    for finding in REFUSAL_FINDINGS for conv in repro_inputs(finding)])
def test_invalid_input_is_refused(conv):
    from kernels.refusal_paths import REFUSAL_PATHS

    verdict, what = REFUSAL_PATHS[conv["path"]].attempt(conv, {"kind": "llvm"}, True)
    assert verdict == "refused", what


@pytest.mark.finding(kernels=("relax_block",), targets=None)
@finding_xfail("topi-conv-spatial-axis-order")
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
@finding_xfail("relax-conv2d-out-layout")
def test_conv2d_with_another_out_layout_compiles():
    run = run_repro("relax-conv2d-out-layout")
    assert run.returncode == 0, run.stdout[-800:] + run.stderr[-500:]


def test_the_out_layout_known_failure_matches_the_repro():
    from findings.table import known_failure, reached

    run = run_repro("relax-conv2d-out-layout")
    if run.returncode == 0:
        pytest.skip("fixed upstream: test_conv2d_with_another_out_layout_compiles says so")
    known = known_failure(reached((), "R.nn.conv2d(x, w)"), "llvm", run.stdout)
    assert known is not None and known.finding.name == "relax-conv2d-out-layout", run.stdout


# Findings whose repro alone says whether they hold (exit 0: fixed): (finding, kernels, targets),
# None for any. Each is a strict xfail of its own, marked with what it is about.
PLAIN_REPROS = (
    ("c-codegen-float-constants", None, ("c",)),
    ("torch-frontend-conv-float32", ("torch_export",), None),
    ("torch-frontend-conv-transpose3d", ("torch_conv3d_transpose",), None),
    ("onnx-clip-bfloat16-isnan", ("onnx_import",), None),
    ("onnx-convtranspose-output-shape", tuple(f"onnx_conv{r}d_transpose" for r in (1, 2, 3)), None),
    ("relax-batch-norm-float16", ("onnx_import", "relax_block"), None),
    ("relax-conv-transpose-output-padding", ("relax_conv1d_transpose", "relax_conv2d_transpose",
                                             "relax_conv3d_transpose"), None),
    ("topi-depthwise-accepts-invalid", ("topi_nchw", "topi_conv1d", "topi_conv3d"), ("llvm",)),
    ("relax-conv2d-accepts-invalid", ("relax_conv2d", "relax_conv1d", "relax_conv3d"), ("llvm",)),
    ("conv-transpose-accepts-invalid", tuple(f"{path}_conv{r}d_transpose" for path in ("topi", "relax") for r in (1, 2, 3)),
     ("llvm",)),
    ("relax-conv-transpose-channels-last", tuple(f"relax_conv{r}d_transpose_{layout}" for r, layout in
                                                 ((1, "nwc"), (2, "nhwc"), (3, "ndhwc"))), None),
    ("relax-conv2d-gradient-dilation", ("relax_backward_input_conv2d", "relax_backward_weight_conv2d"), ("llvm",)),
    # TVM's TFLite importer (no tflite_import row yet: run in every selection that has llvm)
    ("tflite-quantized-rounding", None, ("llvm",)),
    ("tflite-per-channel-single-channel", None, ("llvm",)),
    ("relax-symbolic-empty-output", ("relax_conv2d",), ("llvm",)),
    # References' bugs (PyTorch's oneDNN), each repro pinned to the instruction set that triggers
    # it (CANNOT RUN HERE where the CPU lacks it); the torch reference works around both.
    ("torch-onednn-avx512-size1-strides", None, None),
    ("torch-onednn-amx-bfloat16", None, None),
    ("mxnet-deconvolution-float64-dilation", None, None),
    # Packaging: the lock pins the apache-tvm-ffi TVM works with.
    ("tvm-ffi-abi-mismatch", None, None),
)


@pytest.mark.parametrize("name", [
    pytest.param(name, id=name, marks=[pytest.mark.finding(kernels=kernels, targets=targets),
                                       finding_xfail(name)])
    for name, kernels, targets in PLAIN_REPROS])
def test_the_finding_no_longer_reproduces(name):
    run = run_repro(name)
    assert run.returncode == 0, run.stdout[-800:] + run.stderr[-500:]


@pytest.mark.finding(kernels=("topi_backward_input_nhwc", "topi_backward_weight_nhwc"), targets=None)
@finding_xfail("torch-onednn-1x1-backward-weights")
def test_torch_1x1_backward_weights_keeps_the_heap_intact():
    if missing_on_host("haswell"):  # the repro pins oneDNN to AVX2; it needs a host that runs it
        pytest.skip(f"this host cannot execute AVX2 code (no {', '.join(missing_on_host('haswell'))})")
    run = run_repro("torch-onednn-1x1-backward-weights")
    assert run.returncode == 0, run.stdout[-800:] + run.stderr[-500:]


def test_every_repro_is_run_by_a_finding_test():
    """Each findings/<name>/repro.py is run by a test here, so each one must reach its verdict."""
    import inspect

    source = inspect.getsource(sys.modules[__name__])
    names = {path.parent.name for path in (ROOT / "findings").glob("*/repro.py")}
    run_here = {name for name in names if f'run_repro("{name}"' in source} | {name for name, *_ in PLAIN_REPROS}
    assert names == run_here, f"repros no test runs: {sorted(names - run_here)}"
    assert {f.name for f in FINDINGS} >= names, "every repro belongs to a finding of findings/table.py"

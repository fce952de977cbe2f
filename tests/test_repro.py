"""A repro script of a *correct* kernel does not claim to reproduce anything; one of a kernel
reading past its input reproduces every time (guard zones, as in the suite); gradients get
repro scripts too."""
import subprocess
import sys

import pytest

from kernels.build import build
from kernels.registry import KERNELS
from reports.repro import repro_script
from strategies.case import DepthwiseCase
from strategies.inputs import ConvExample, seeded_normal
from targets.discovery import select_targets


def run_repro(tmp_path, kernel, case, seed=0):
    target = select_targets("llvm")[0]
    compiled = build(kernel, case, target)
    text, _ = repro_script(kernel, target, ConvExample(case, *seeded_normal(case, seed)), compiled.script)
    script = tmp_path / "repro.py"
    script.write_text(text)
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("kernel_name", ["topi_nchw", "relax_conv2d", "seed_te_generic"])
def test_repro_of_a_correct_kernel_exits_zero(tmp_path, kernel_name):
    case = DepthwiseCase(channels=3, multiplier=2, height=5, width=4, kernel_h=3, kernel_w=2,
                         pad_top=1, pad_right=2, stride_w=2)
    run = run_repro(tmp_path, KERNELS[kernel_name], case, seed=5)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "not reproduced" in run.stdout


def test_repro_of_a_read_past_the_input_reproduces_every_time(tmp_path):
    from mutants.kernels import MUTANTS

    [reads_past] = [m.kernel for m in MUTANTS if m.kernel.name == "mutant_right_edge_read"]
    for seed in range(3):
        run = run_repro(tmp_path, reads_past, DepthwiseCase(pad_right=1), seed)
        assert run.returncode == 1, run.stdout + run.stderr
        assert "REPRODUCED: outputs outside the error bound" in run.stdout and "tvm nan" in run.stdout


def test_repro_of_a_compile_error_reproduces_it(tmp_path):
    from kernels.build import BuildError
    from targets.discovery import discover_targets

    metal = {t.name: t for t in discover_targets()}["metal"]
    if not metal.available:
        pytest.skip(f"metal: {metal.why_unavailable}")
    case = DepthwiseCase(dtype="float64")
    with pytest.raises(BuildError) as error:
        build(KERNELS["topi_nchw"], case, metal)
    text, _ = repro_script(KERNELS["topi_nchw"], metal, ConvExample(case, *seeded_normal(case, 0)),
                           error.value.script)
    script = tmp_path / "repro.py"
    script.write_text(text)
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "REPRODUCED: tvm.compile failed" in run.stdout and "float64" in run.stdout


BACKWARD_CASE = DepthwiseCase(channels=2, multiplier=2, height=4, width=5, kernel_h=2, kernel_w=3, pad_top=1,
                              stride_w=2, layout="NHWC")


def gradient_example(case, seed=0):
    import numpy as np

    data, weight = seeded_normal(case, seed)
    return case, data, weight, np.random.default_rng(seed + 1).standard_normal(case.output_shape).astype(case.dtype)


def test_backward_repros_of_the_correct_kernels_exit_zero(tmp_path):
    from conformance.test_backward import gradient_lengths
    from kernels.backward import build_backward
    from reports.repro import backward_repro_script

    target = select_targets("llvm")[0]
    case, data, weight, grad_out = gradient_example(BACKWARD_CASE)
    for kernel, length in zip(build_backward(case, target), gradient_lengths(case)):
        text, _ = backward_repro_script(kernel, kernel.which, length, target, case,
                                        {"data": data, "weight": weight, "grad_out": grad_out}, kernel.script)
        script = tmp_path / f"repro_{kernel.which}.py"
        script.write_text(text)
        run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
        assert run.returncode == 0 and "not reproduced" in run.stdout, (kernel.which, run.stdout + run.stderr)


def test_a_wrong_gradient_is_written_up_with_a_repro_that_reproduces(tmp_path):
    from conformance.test_backward import gradient_bounds, gradient_lengths, write_up
    from tests.planted import planted_grad_weight
    from reference.comparison import compare
    from reference.gradients import numpy_gradients
    from reports.results import RunResults

    target = select_targets("llvm")[0]
    ex = case, data, weight, grad_out = gradient_example(BACKWARD_CASE)
    kernel = planted_grad_weight(case, target, scale=2)
    actual, expected = kernel(data, grad_out), numpy_gradients(case, data, weight, grad_out)[1]
    length = gradient_lengths(case)[1]
    verdict = compare("numpy", actual, expected, gradient_bounds(case, data, weight, grad_out, "float64")[1])
    assert not verdict.passed
    results = RunResults(references=["numpy"])
    write_up(kernel, length, target, ex, [verdict], actual, expected, results, tmp_path)
    [failure] = results.failures
    assert failure.kernel == "topi_backward_weight_nhwc" and "depthwise_conv2d_backward_weight_nhwc" in failure.bug_report
    run = subprocess.run([sys.executable, str(tmp_path / failure.directory / "repro.py")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "REPRODUCED: outputs outside the error bound" in run.stdout, run.stdout + run.stderr

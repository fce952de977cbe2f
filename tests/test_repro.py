"""A repro script of a *correct* kernel does not claim to reproduce anything; one of a kernel
reading past its input reproduces every time (guard zones, as in the suite); gradients get
repro scripts too."""
import dataclasses

import pytest

from kernels.registry import KERNELS
from model.case import DepthwiseCase
from model.example import seeded_example
from reports.repro import repro_script
from runner.build import build
from targets.discovery import discover_targets
from reports.failures import FailureWriter


@pytest.fixture
def repro_of(tmp_path, llvm, run_repro):
    """Write the repro script of `kernel` on `case` (seeded data) and run it."""
    def run(kernel, case, seed=0):
        text, _ = repro_script(kernel, llvm, seeded_example(case, seed), build(kernel, case, llvm).script)
        (tmp_path / "repro.py").write_text(text)
        return run_repro(tmp_path / "repro.py")
    return run


@pytest.mark.parametrize("kernel_name", ["topi_nchw", "relax_conv2d", "seed_te_generic"])
def test_repro_of_a_correct_kernel_exits_zero(repro_of, kernel_name):
    case = DepthwiseCase(channels=3, multiplier=2, height=5, width=4, kernel_h=3, kernel_w=2,
                         pad_top=1, pad_right=2, stride_w=2)
    run = repro_of(KERNELS[kernel_name], case, seed=5)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "not reproduced" in run.stdout


def test_repro_of_a_read_past_the_input_reproduces_every_time(repro_of):
    from mutants.kernels import MUTANTS

    [reads_past] = [m.kernel for m in MUTANTS if m.kernel.name == "mutant_right_edge_read"]
    for seed in range(3):
        run = repro_of(reads_past, DepthwiseCase(pad_right=1), seed)
        assert run.returncode == 1, run.stdout + run.stderr
        assert "REPRODUCED: outputs outside the error bound" in run.stdout and "tvm nan" in run.stdout


def test_repro_of_a_compile_error_reproduces_it(tmp_path, run_repro):
    from runner.build import BuildError

    metal = {t.name: t for t in discover_targets()}["metal"]
    if not metal.available:
        pytest.skip(f"metal: {metal.why_unavailable}")
    case = DepthwiseCase(dtype="float64")
    with pytest.raises(BuildError) as error:
        build(KERNELS["topi_nchw"], case, metal)
    text, _ = repro_script(KERNELS["topi_nchw"], metal, seeded_example(case, 0), error.value.script)
    (tmp_path / "repro.py").write_text(text)
    run = run_repro(tmp_path / "repro.py")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "REPRODUCED: tvm.compile failed" in run.stdout and "float64" in run.stdout


BACKWARD_CASE = DepthwiseCase(channels=2, multiplier=2, height=4, width=5, kernel_h=2, kernel_w=3, pad_top=1,
                              stride_w=2, layout="NHWC")


@pytest.mark.parametrize("kernel_name, case", [
    ("topi_backward_input_nhwc", BACKWARD_CASE), ("topi_backward_weight_nhwc", BACKWARD_CASE),
    # Relax's autodiff (kernels/relax_gradients.py): a Relax module run by the VM
    ("relax_backward_input_conv2d", dataclasses.replace(BACKWARD_CASE, layout="NCHW")),
    ("relax_backward_weight_conv2d", dataclasses.replace(BACKWARD_CASE, layout="NCHW"))])
def test_backward_repros_of_the_correct_kernels_exit_zero(tmp_path, llvm, run_repro, kernel_name, case):
    from model.failure import Evidence
    from reports.failures import repro_of

    kernel = KERNELS[kernel_name]
    ex = seeded_example(case, 0, gradients=True)
    text, _ = repro_of(Evidence(kernel, llvm, ex, script=build(kernel, case, llvm).script))
    (tmp_path / "repro.py").write_text(text)
    run = run_repro(tmp_path / "repro.py")
    assert run.returncode == 0 and "not reproduced" in run.stdout, run.stdout + run.stderr


def test_a_wrong_gradient_is_written_up_with_a_repro_that_reproduces(tmp_path, llvm, run_repro):
    from conformance.checking import ConformanceFailure, check_example
    from reference.registry import REFERENCES
    from reports.results import RunResults
    from tests.planted import GRAD_WEIGHT_DOUBLED

    results = RunResults(references=["numpy"])
    with pytest.raises(ConformanceFailure) as failure:
        check_example(GRAD_WEIGHT_DOUBLED, llvm, seeded_example(BACKWARD_CASE, 0, gradients=True),
                      (REFERENCES["numpy"],), results, FailureWriter(tmp_path, results))
    failure.value.write_up()
    [written] = results.failures
    assert written.kernel == "planted_grad_weight_doubled" and "backward_weight_nhwc" in written.bug_report
    run = run_repro(tmp_path / written.directory / "repro.py")
    assert run.returncode == 1 and "REPRODUCED: outputs outside the error bound" in run.stdout, run.stdout + run.stderr


@pytest.mark.parametrize("case, options", [
    (DepthwiseCase(channels=2, height=4, width=3, kernel_h=2, kernel_w=2, pad_top=1, layout="NHWC",
                   epilogue="expand+bn+relu6+project+residual"),
     {"pipeline": "constants", "constants": "<the example's input values>", "data_layout": "HCNW",
      "kernel_layout": "HOWI", "out_layout": "HCNW"}),
    (DepthwiseCase(channels=2, multiplier=2, height=4, width=3, kernel_h=2, kernel_w=2, dtype="int8"),
     {"pipeline": "explicit"}),
], ids=["mobilenet-constants", "int8-explicit"])
def test_repro_of_the_deployed_block_exits_zero_and_of_a_graph_mutant_one(tmp_path, llvm, run_repro, case, options):
    """The repro applies the pipeline itself (binding the weights it carries) and checks the block."""
    from mutants.graph_kernels import GRAPH_MUTANTS

    block = KERNELS["relax_block"]
    ex = seeded_example(case, 3, 0 if case.is_integer else None, tuple(sorted(options.items())))
    text, side = repro_script(block, llvm, ex, build(block, case, llvm, ex.options).script)
    assert not side
    (tmp_path / "repro.py").write_text(text)
    run = run_repro(tmp_path / "repro.py")
    assert run.returncode == 0 and "not reproduced" in run.stdout, run.stdout + run.stderr
    if case.is_integer:
        return
    [mutant] = [k for k, _ in GRAPH_MUTANTS if k.name == "mutant_residual_before_projection"]
    plain = seeded_example(dataclasses.replace(case, layout="NCHW"), 3)
    text, _ = repro_script(mutant, llvm, plain, build(mutant, plain.case, llvm).script)
    (tmp_path / "mutant.py").write_text(text)
    run = run_repro(tmp_path / "mutant.py")
    assert run.returncode == 1 and "REPRODUCED: outputs outside the error bound" in run.stdout, run.stdout + run.stderr

"""A deliberately wrong kernel is caught, shrunk to a small case, and its repro reproduces."""
import subprocess
import sys

import pytest
from hypothesis import settings

from conformance.checking import ConformanceFailure, pinned_failures, property_test, run_row
from reference.registry import REFERENCES
from reports.html import write_html_report
from reports.failures import FailureWriter
from reports.results import RunResults
from targets.discovery import select_targets
from tests.planted import TOP_PADDING_AT_BOTTOM

LLVM = select_targets("llvm")[0]


@pytest.fixture(scope="module")
def caught(tmp_path_factory):
    report_dir = tmp_path_factory.mktemp("report")
    results = RunResults(references=list(REFERENCES))
    test = property_test(TOP_PADDING_AT_BOTTOM, LLVM, tuple(REFERENCES.values()), results, FailureWriter(report_dir, results))
    with pytest.raises(ConformanceFailure) as failure:
        run_row(settings(max_examples=200, database=None, derandomize=True, deadline=None)(test))
    return results, report_dir, failure.value


def test_wrong_kernel_is_caught_against_every_reference(caught):
    results, _, error = caught
    row = results.rows["planted_top_padding_at_bottom-llvm"]
    assert all(row.counts[ref].get("fail", 0) >= 1 for ref in REFERENCES)
    assert "pad_top" in str(error)


def test_failure_is_shrunk_to_what_the_bug_needs(caught):
    results, _, _ = caught
    assert len(results.failures) == 1
    from model.case import DepthwiseCase# noqa: F401  (eval needs the name)

    case = eval(results.failures[0].case_summary)
    # The bug needs top padding and nothing else larger than its minimum.
    assert case.pad_top == 1
    assert (case.batch, case.channels, case.multiplier) == (1, 1, 1)
    assert case.height * case.width <= 4 and case.kernel_h * case.kernel_w <= 4


def test_repro_script_reproduces_with_numpy_and_tvm_only(caught):
    results, report_dir, _ = caught
    script = report_dir / results.failures[0].directory / "repro.py"
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "REPRODUCED" in run.stdout
    assert "dwconf" not in {line.split()[1] for line in script.read_text().splitlines()
                            if line.startswith(("import ", "from "))}


def test_html_report_shows_the_failure(caught):
    results, report_dir, _ = caught
    html = write_html_report(results, report_dir).read_text()
    assert "planted_top_padding_at_bottom" in html
    assert results.failures[0].case_summary in html
    assert 'class="fail"' in html


def test_failing_pinned_examples_do_not_stop_the_search_and_are_named_beside_the_shrunk_case(tmp_path):
    results = RunResults(references=["numpy"])
    numpy_only = (REFERENCES["numpy"],)
    pinned = pinned_failures(TOP_PADDING_AT_BOTTOM, LLVM, numpy_only, results, FailureWriter(tmp_path, results))
    names = [name for name, _ in pinned]
    assert "seed_chapter" in names and "mobilenet_same_stride2" not in names  # no top padding there
    test = property_test(TOP_PADDING_AT_BOTTOM, LLVM, numpy_only, results, FailureWriter(tmp_path, results))
    with pytest.raises(ConformanceFailure):
        run_row(settings(max_examples=200, database=None, derandomize=True, deadline=None)(test), pinned)
    [failure] = results.failures  # one failure for the row, at its minimal case
    assert failure.pinned is None and failure.case_summary.startswith("DepthwiseCase(") and "pad_top=1" in failure.case_summary
    assert "channels=256" not in failure.case_summary
    assert failure.also_fails_on == names
    assert "found and shrunk by dwconf" in failure.bug_report
    assert f"also fails on dwconf's pinned example(s) `{names[0]}`" in failure.bug_report


def wrong_for_many_channels(case):
    """Right, except that with exactly 256 channels the output is doubled (a planted bug that
    drawn cases, a few channels each, do not reach; the seed chapter's 256 channels do)."""
    from tvm import te, topi

    x = te.placeholder(case.input_shape, dtype=case.dtype, name="X")
    k = te.placeholder(case.weight_shape, dtype=case.dtype, name="K")
    y = topi.nn.depthwise_conv2d_nchw(x, k, case.stride, case.padding, case.dilation, case.dtype)
    return x, k, (te.compute(y.shape, lambda *i: y(*i) * 2, name="Y") if case.channels == 256 else y)


def test_a_failure_only_a_pinned_example_finds_is_written_up_as_that_pinned_example(tmp_path):
    from kernels.kernel import Kernel
    from model.space import CaseSpace

    kernel = Kernel(name="planted_many_channels", compute=wrong_for_many_channels, space=CaseSpace(layouts=("NCHW",)))
    results = RunResults(references=["numpy"])
    pinned = pinned_failures(kernel, LLVM, (REFERENCES["numpy"],), results, FailureWriter(tmp_path, results))
    assert [name for name, _ in pinned] == ["seed_chapter"]
    test = property_test(kernel, LLVM, (REFERENCES["numpy"],), results, FailureWriter(tmp_path, results))
    with pytest.raises(ConformanceFailure, match="pinned example seed_chapter fails"):
        run_row(settings(max_examples=10, database=None, derandomize=True, deadline=None)(test), pinned)
    [failure] = results.failures
    assert failure.pinned == "seed_chapter" and failure.found_as == "pinned example seed_chapter (not shrunk)"
    assert "shrunk by dwconf" not in failure.bug_report and "so this case is not shrunk" in failure.bug_report
    assert "## Pinned case" in failure.bug_report
    html = write_html_report(results, tmp_path).read_text()
    assert "Pinned example seed_chapter (not shrunk)" in html and "Shrunk case" not in html


def test_a_wrong_gradient_is_caught_shrunk_and_written_up(tmp_path, run_repro):
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "conformance/test_conformance.py", "-q", "-p", "no:cacheprovider",
         "-p", "tests.planted_backward_plugin", "--kernels", "planted_grad_weight_padding_swapped",
         "--targets", "llvm", "--hypothesis-profile=ci", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    [folder] = (tmp_path / "failures").iterdir()
    assert folder.name == "planted_grad_weight_padding_swapped-llvm-1"
    report = (folder / "bug_report.md").read_text()
    # Shrunk to the padding the bug needs on one side, nothing else.
    assert ("DepthwiseCase(pad_top=1, layout='NHWC')" in report
            or "DepthwiseCase(pad_bottom=1, layout='NHWC')" in report), report[:600]
    repro = run_repro(folder / "repro.py")
    assert repro.returncode == 1 and "REPRODUCED" in repro.stdout, repro.stdout + repro.stderr

def test_a_numeric_failure_has_its_error_heatmap_in_the_folder_the_html_and_the_bug_report(caught):
    results, report_dir, _ = caught
    [failure] = results.failures
    assert failure.picture == f"{failure.directory}/error_heatmap.png"
    assert (report_dir / failure.picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f'src="{failure.picture}"' in write_html_report(results, report_dir).read_text()
    assert "![error heatmap](error_heatmap.png)" in failure.bug_report


def test_the_regression_test_fails_on_the_wrong_kernel_and_passes_on_the_right_one(caught, tmp_path):
    from model.case import DepthwiseCase
    from model.example import seeded_example
    from kernels.registry import KERNELS
    from reports.regression import regression_test
    from reports.repro import repro_script
    from runner.build import build

    results, report_dir, _ = caught
    [failure] = results.failures
    wrong = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            str(report_dir / failure.directory / "test_regression.py")],
                           capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert wrong.returncode == 1 and "1 failed" in wrong.stdout, wrong.stdout[-2000:]
    right = KERNELS["topi_nchw"]
    case = DepthwiseCase(**failure.case)
    repro, _ = repro_script(right, LLVM, seeded_example(case, 0), build(right, case, LLVM).script)
    (tmp_path / "test_regression.py").write_text(regression_test(repro, right, LLVM, case, compile_only=False))
    passes = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_regression.py"],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert passes.returncode == 0 and "1 passed" in passes.stdout, passes.stdout[-2000:]
    assert f"--kernels {failure.kernel} --targets llvm" in failure.replay


def test_a_batched_shape_generic_row_shrinks_to_one_minimal_geometry(tmp_path):
    """A shape-generic kernel's examples are batches; the failing batch is reported as its one
    failing geometry, shrunk like any other case."""
    import dataclasses

    from kernels.registry import KERNELS

    def swapped_vertical_padding(case):  # the bug: top and bottom padding passed the wrong way round
        return (case.pad_bottom, case.pad_left, case.pad_top, *KERNELS["seed_te_generic"].generic(case)[3:])

    kernel = dataclasses.replace(KERNELS["seed_te_generic"], name="planted_generic_swapped_padding",
                                 generic=swapped_vertical_padding)
    results = RunResults(references=["numpy"])
    test = property_test(kernel, LLVM, (REFERENCES["numpy"],), results, FailureWriter(tmp_path, results), batch=8)
    with pytest.raises(ConformanceFailure):
        run_row(settings(max_examples=20, database=None, derandomize=True, deadline=None)(test))
    assert results.rows[f"{kernel.name}-llvm"].examples > 20  # more geometries than examples
    assert len(results.failures) == 1
    from model.case import DepthwiseCase  # noqa: F401  (eval needs the name)

    case = eval(results.failures[0].case_summary)
    assert {case.pad_top, case.pad_bottom} == {0, 1}
    assert (case.batch, case.channels, case.multiplier, case.kernel_w, case.width) == (1, 1, 1, 1, 1)

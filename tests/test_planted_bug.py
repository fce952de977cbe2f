"""A deliberately wrong kernel is caught, shrunk to a small case, and its repro reproduces."""
import subprocess
import sys

import pytest
from hypothesis import settings

from conformance.checking import ConformanceFailure, property_test
from reference.registry import REFERENCES
from reports.html import write_html_report
from reports.results import RunResults
from targets.discovery import select_targets
from tests.planted import TOP_PADDING_AT_BOTTOM

LLVM = select_targets("llvm")[0]


@pytest.fixture(scope="module")
def caught(tmp_path_factory):
    report_dir = tmp_path_factory.mktemp("report")
    results = RunResults(references=list(REFERENCES))
    test = property_test(TOP_PADDING_AT_BOTTOM, LLVM, tuple(REFERENCES.values()), results, report_dir,
                         pinned=False)
    with pytest.raises(ConformanceFailure) as failure:
        settings(max_examples=200, database=None, derandomize=True, deadline=None)(test)()
    return results, report_dir, failure.value


def test_wrong_kernel_is_caught_against_every_reference(caught):
    results, _, error = caught
    row = results.rows["planted_top_padding_at_bottom-llvm"]
    assert all(row.counts[ref].get("fail", 0) >= 1 for ref in REFERENCES)
    assert "pad_top" in str(error)


def test_failure_is_shrunk_to_what_the_bug_needs(caught):
    results, _, _ = caught
    assert len(results.failures) == 1
    from strategies.case import DepthwiseCase  # noqa: F401  (eval needs the name)

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


def test_pinned_examples_catch_it_too(tmp_path):
    results = RunResults(references=["numpy"])
    test = property_test(TOP_PADDING_AT_BOTTOM, LLVM, (REFERENCES["numpy"],), results, tmp_path)
    with pytest.raises(ConformanceFailure):
        settings(max_examples=1, database=None, deadline=None)(test)()
    failing = {f.case_summary for f in results.failures}
    assert any("pad_top=1" in summary for summary in failing)
    assert all(f.directory.startswith("failures/planted_top_padding_at_bottom-llvm-") for f in results.failures)


def test_a_wrong_gradient_is_caught_shrunk_and_written_up(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "conformance/test_backward.py", "-q", "-p", "no:cacheprovider",
         "-p", "tests.planted_backward_plugin", "--targets", "llvm", "--hypothesis-profile=ci",
         "--report-dir", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    [folder] = (tmp_path / "failures").iterdir()
    assert folder.name == "topi_backward_weight_nhwc-llvm-1"
    report = (folder / "bug_report.md").read_text()
    # Shrunk to the padding the bug needs on one side, nothing else.
    assert ("DepthwiseCase(pad_top=1, layout='NHWC')" in report
            or "DepthwiseCase(pad_bottom=1, layout='NHWC')" in report), report[:600]
    repro = subprocess.run([sys.executable, str(folder / "repro.py")], capture_output=True, text=True, timeout=120)
    assert repro.returncode == 1 and "REPRODUCED" in repro.stdout, repro.stdout + repro.stderr

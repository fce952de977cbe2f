"""What a failure's write-up says: a kernel whose output has the wrong shape is reported as
such (suite, bug report and repro), and TVM's multi-line errors stay out of table cells."""
import re
import subprocess
import sys

import pytest
from hypothesis import settings

from conformance.checking import ConformanceFailure, property_test, run_row
from reference.comparison import Verdict
from reference.registry import REFERENCES
from reports.bug_report import bug_report_markdown
from reports.failures import FailureWriter
from reports.results import RunResults
from model.case import DepthwiseCase
from model.example import seeded_example
from model.failure import ERROR, SHAPE, Evidence, Failure
from targets.discovery import select_targets
from tests.planted import ONE_COLUMN_TOO_MANY, TOP_PADDING_AT_BOTTOM

LLVM = select_targets("llvm")[0]
SHAPES = r"output shape \(1, 1, 1, 2\) but the case needs \(1, 1, 1, 1\)"


def test_a_kernel_whose_output_has_the_wrong_shape_is_reported_as_a_shape_error(tmp_path):
    results = RunResults(references=["numpy"])
    test = property_test(ONE_COLUMN_TOO_MANY, LLVM, (REFERENCES["numpy"],), results, FailureWriter(tmp_path, results))
    with pytest.raises(ConformanceFailure, match=SHAPES):
        run_row(settings(max_examples=10, database=None, derandomize=True, deadline=None)(test))
    [failure] = results.failures
    assert failure.kind == SHAPE
    title = failure.bug_report.splitlines()[0]
    assert re.search("shape error: " + SHAPES, title) and "wrong result" not in title
    assert "Invalid" not in failure.message and "strides" not in failure.message
    repro = subprocess.run([sys.executable, str(tmp_path / failure.directory / "repro.py")],
                           capture_output=True, text=True, timeout=120)
    assert repro.returncode == 1, repro.stdout + repro.stderr
    assert re.search("REPRODUCED: " + SHAPES, repro.stdout) and "Traceback" not in repro.stderr


def test_multi_line_errors_go_in_fenced_blocks_not_table_cells():
    case = DepthwiseCase()
    message = "compile error: TVMError: Check failed: (a | b) is false\n  at tirx/transform.cc:12\nhint: x"
    verdicts = [Verdict("numpy", "error", message), Verdict("torch", "fail", "1 of 1 outside | bound\nsecond")]
    failure = Failure(ERROR, TOP_PADDING_AT_BOTTOM.name, LLVM.name, case.summary(), message,
                      evidence=Evidence(TOP_PADDING_AT_BOTTOM, LLVM, seeded_example(case, 0), verdicts))
    report = bug_report_markdown(failure, "print('repro')", {"tvm": "0.27"})
    table = [line for line in report.splitlines() if line.startswith("| ")]
    assert len(table) == 3  # the header and one row per reference
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 7 for line in table), table
    assert "```\n" + message + "\n```" in report
    assert "```\n1 of 1 outside | bound\nsecond\n```" in report

"""The failure list and bug-report command, on a run with a planted failure."""
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from conformance.checking import ConformanceFailure, property_test, run_row
from reference.registry import REFERENCES
from reports.failures import FailureWriter
from reports.results import RunResults
from targets.discovery import select_targets
from tests.planted import TOP_PADDING_AT_BOTTOM

ROOT = Path(__file__).resolve().parents[1]


def cli(*args):
    return subprocess.run([sys.executable, "-m", "reports.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_list_and_show(tmp_path):
    results = RunResults()
    test = property_test(TOP_PADDING_AT_BOTTOM, select_targets("llvm")[0], tuple(REFERENCES.values()),
                         results, FailureWriter(tmp_path, results))
    with pytest.raises(ConformanceFailure):
        run_row(settings(max_examples=50, database=None, derandomize=True, deadline=None)(test))
    listed = cli("list", "--report-dir", str(tmp_path))
    assert listed.returncode == 0 and "planted_top_padding_at_bottom-llvm-1" in listed.stdout
    shown = cli("show", "1", "--report-dir", str(tmp_path))
    assert shown.returncode == 0
    for section in ("## Environment", "## Minimal case", "DepthwiseCase(pad_top=1)", "## Expected vs actual",
                    "## Repro", "- tvm: "):
        assert section in shown.stdout
    bad = cli("show", "7", "--report-dir", str(tmp_path))
    assert bad.returncode == 2 and "from 1 to 1" in bad.stderr and "Traceback" not in bad.stderr


def test_empty_report_dir_says_so(tmp_path):
    listed = cli("list", "--report-dir", str(tmp_path))
    assert listed.returncode == 0 and "no failures recorded" in listed.stdout

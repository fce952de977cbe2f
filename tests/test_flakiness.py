"""The ci profile is deterministic: the same row run twice checks the same examples with
the same outcomes (derandomize=True, no database), so CI cannot flicker; and a kernel whose
output does flicker is reported as nondeterministic."""
import pytest
from hypothesis import settings

from conftest import COMMON_SETTINGS
from conformance.checking import IN_PROCESS, ConformanceFailure, property_test, run_row
from kernels.registry import KERNELS
from reference.registry import REFERENCES
from reports.failures import FailureWriter
from reports.results import RunResults
from targets.discovery import select_targets


def run_ci_row(tmp_path, seen):
    results = RunResults(references=list(REFERENCES))
    test = property_test(KERNELS["topi_nhwc"], select_targets("llvm")[0], tuple(REFERENCES.values()),
                         results, FailureWriter(tmp_path, results))
    inner = test.hypothesis.inner_test

    def recording(ex):
        seen.append(repr(ex))
        return inner(ex)

    test.hypothesis.inner_test = recording
    settings(max_examples=30, derandomize=True, database=None, **COMMON_SETTINGS)(test)()
    return results.rows["topi_nhwc-llvm"].counts


def test_ci_profile_runs_are_identical(tmp_path):
    first, second = [], []
    counts_first = run_ci_row(tmp_path, first)
    counts_second = run_ci_row(tmp_path, second)
    assert first == second and len(first) >= 30
    assert counts_first == counts_second


class CorruptsTheThirdCall:
    """A runner whose third output is wrong, as a kernel reading memory it does not own might be."""

    def __init__(self):
        self.calls = 0

    def run(self, *args):
        outcome = IN_PROCESS.run(*args)
        self.calls += 1
        if self.calls == 3:
            outcome.actual = outcome.actual + 1
        return outcome

    def close(self):
        pass


def test_a_failure_that_passes_on_replay_is_written_up_as_nondeterministic(tmp_path):
    results = RunResults(references=["numpy"])
    test = property_test(KERNELS["seed_te"], select_targets("llvm")[0], (REFERENCES["numpy"],), results,
                         FailureWriter(tmp_path, results), runner=CorruptsTheThirdCall())
    with pytest.raises(ConformanceFailure, match="nondeterministic"):
        run_row(settings(max_examples=10, derandomize=True, database=None, **COMMON_SETTINGS)(test))
    [failure] = results.failures
    assert failure.message.startswith("nondeterministic") and "numpy" in failure.message
    assert "## Nondeterministic" in failure.bug_report
    assert (tmp_path / failure.directory / "repro.py").is_file()

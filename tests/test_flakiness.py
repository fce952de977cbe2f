"""The ci profile is deterministic: the same row run twice checks the same examples with
the same outcomes (derandomize=True, no database), so CI cannot flicker."""
from hypothesis import settings

from conftest import _COMMON
from conformance.checking import property_test
from kernels.registry import KERNELS
from reference.registry import REFERENCES
from reports.results import RunResults
from targets.discovery import select_targets


def run_ci_row(tmp_path, seen):
    results = RunResults(references=list(REFERENCES))
    test = property_test(KERNELS["topi_nhwc"], select_targets("llvm")[0], tuple(REFERENCES.values()),
                         results, tmp_path)
    inner = test.hypothesis.inner_test

    def recording(ex):
        seen.append(repr(ex))
        return inner(ex)

    test.hypothesis.inner_test = recording
    settings(max_examples=30, derandomize=True, database=None, **_COMMON)(test)()
    return results.rows["topi_nhwc-llvm"].counts


def test_ci_profile_runs_are_identical(tmp_path):
    first, second = [], []
    counts_first = run_ci_row(tmp_path, first)
    counts_second = run_ci_row(tmp_path, second)
    assert first == second and len(first) >= 30
    assert counts_first == counts_second

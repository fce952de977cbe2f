"""The conformance matrix: every kernel x target row is one Hypothesis test.

Rows come from the registries (conformance/plugin.py derives them); ids are "{kernel}-{target}",
so `-k cuda` or `-k "seed_te and llvm"` select rows. A row checks its pinned examples, then the
generated ones (conformance/checking.py); gradient kernels are rows like any other.
"""
import time

import pytest

from conformance.checking import pinned_failures, property_test, run_row
from targets.rpc import DeviceLost


def test_conformance(row, selected_references, run_results, write_up, kernel_runner):
    kernel, target = row.kernel, row.target
    reason = target.why_unavailable or kernel.why_unsupported_target(target)
    if reason:
        run_results.record_skip(kernel.name, target.name, reason)
        pytest.skip(f"{kernel.name} on {target.name}: {reason}")
    started = time.perf_counter()
    try:
        pinned = pinned_failures(kernel, target, selected_references, run_results, write_up, kernel_runner)
        run_row(property_test(kernel, target, selected_references, run_results, write_up, kernel_runner), pinned)
    except DeviceLost as lost:
        pytest.fail(f"{kernel.name} on {target.name}: {lost}", pytrace=False)
    finally:
        run_results.record_row_time(kernel.name, target.name, time.perf_counter() - started)

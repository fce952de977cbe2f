"""Inputs that must be refused (OpInfo's error_inputs): one row per refusal path x target,
"refuse:{path}-{target}"; conformance/refusals.py checks them."""
import pytest

from conformance.refusals import run_refusal_row, why_not_refusal_row


def test_refusal(refusal_row, run_results, write_up, kernel_runner):
    path, target = refusal_row
    reason = why_not_refusal_row(path, target)
    if reason:
        run_results.record_refusal(path.name, target.name, "", skip_reason=reason)
        pytest.skip(f"refuse:{path.name} on {target.name}: {reason}")
    run_refusal_row(path, target, run_results, write_up, kernel_runner)

"""Gradients: TOPI's depthwise backward kernels against float64 numpy and torch autograd.

TOPI's backward kernels take NHWC without dilation; the strategy draws only those. Error
model (reference/tolerance.py's bound): a grad_input element sums at most KH*KW*M products,
a grad_weight element N*OH*OW products; the magnitudes are the same gradients of |.|.
"""
import time

import numpy as np
import pytest
from hypothesis import given, strategies as st

from conformance.checking import ConformanceFailure, run_row
from kernels.backward import build_backward
from reference.comparison import compare
from reference.gradients import numpy_gradients, torch_gradients
from reference.tolerance import dot_product_bound
from reports.failures import write_failure
from reports.repro import backward_repro_script
from strategies.cases import CaseSpace, depthwise_cases
from strategies.inputs import ConvExample, seeded_normal

ROWS = ("input", "weight")
SPACE = CaseSpace(layouts=("NHWC",), dtypes=("float32", "float64"), max_dilation=1)


@st.composite
def backward_examples(draw):
    case = draw(depthwise_cases(SPACE))
    seed = draw(st.integers(0, 2**32 - 1))
    data, weight = seeded_normal(case, seed)
    grad_out = np.random.default_rng(seed + 1).standard_normal(case.output_shape).astype(case.dtype)
    return case, data, weight, grad_out


def gradient_lengths(case) -> tuple[int, int]:
    """Products summed into one element of (grad_input, grad_weight): the error model's L."""
    return case.kernel_h * case.kernel_w * case.multiplier, case.batch * case.out_height * case.out_width


def gradient_bounds(case, data, weight, grad_out, reference_dtype):
    """Per-element bounds for (grad_input, grad_weight) with the reduction lengths above."""
    magnitudes = numpy_gradients(case, np.abs(data), np.abs(weight), np.abs(grad_out))
    return tuple(dot_product_bound(length, magnitude, case.dtype, reference_dtype)
                 for length, magnitude in zip(gradient_lengths(case), magnitudes))


def write_up(kernel, length, target, ex, verdicts, actual, expected, run_results, report_dir, **how):
    """Record one failing gradient with its repro script and bug report (`how`: see FailureRecord)."""
    case, data, weight, grad_out = ex
    repro = backward_repro_script(kernel, kernel.which, length, target, case,
                                  {"data": data, "weight": weight, "grad_out": grad_out}, kernel.script)
    run_results.record_failure(write_failure(report_dir, kernel, target, ConvExample(case, data, weight), repro,
                                             verdicts, actual, expected, **how))


def test_backward(backward_target, run_results, report_dir):
    target = backward_target
    reason = target.why_unavailable or target.why_not_runnable or ("a GPU target" if target.gpu else None)
    if reason:
        for which in ROWS:
            run_results.record_skip(f"topi_backward_{which}_nhwc", target.name, reason)
        pytest.skip(f"{target.name}: {reason} (backward kernels run on CPU targets)")

    @given(ex=backward_examples())
    def check(ex):
        started = time.perf_counter()
        case, data, weight, grad_out = ex
        kernels = build_backward(case, target)
        actual = (kernels[0](weight, grad_out), kernels[1](data, grad_out))
        verdicts = ([], [])
        oracle = numpy_gradients(case, data, weight, grad_out)
        for ref_name, expected, ref_dtype in (("numpy", oracle, "float64"),
                                              ("torch", torch_gradients(case, data, weight, grad_out), case.dtype)):
            bounds = gradient_bounds(case, data, weight, grad_out, ref_dtype)
            for found, a, e, b in zip(verdicts, actual, expected, bounds):
                found.append(compare(ref_name, a, e, b))
        seconds = (time.perf_counter() - started) / len(ROWS)
        for kernel, vs in zip(kernels, verdicts):
            run_results.record_verdicts(kernel.name, target.name, vs, seconds)
        failing = [f"{kernel.which} vs {v.reference}: {v.message}"
                   for kernel, vs in zip(kernels, verdicts) for v in vs if not v.passed]
        if not failing:
            return

        def write_up_failing(**how):
            for kernel, length, vs, a, e in zip(kernels, gradient_lengths(case), verdicts, actual, oracle):
                if not all(v.passed for v in vs):
                    write_up(kernel, length, target, ex, vs, a, e, run_results, report_dir, **how)

        raise ConformanceFailure(f"{case.summary()}:\n" + "\n".join(failing), write_up_failing)

    run_row(check)

"""Gradients: TOPI's depthwise backward kernels against float64 numpy and torch autograd.

TOPI's backward kernels take NHWC without dilation; the strategy draws only those. Error
model (reference/tolerance.py's bound): a grad_input element sums at most KH*KW*M products,
a grad_weight element N*OH*OW products; the magnitudes are the same gradients of |.|.
"""
import time

import numpy as np
import pytest
from hypothesis import given, strategies as st

from kernels.backward import build_backward
from reference.comparison import compare
from reference.gradients import numpy_gradients, torch_gradients
from reference.tolerance import dot_product_bound
from strategies.cases import CaseSpace, depthwise_cases
from strategies.inputs import seeded_normal

ROWS = ("input", "weight")
SPACE = CaseSpace(layouts=("NHWC",), dtypes=("float32", "float64"), max_dilation=1)


@st.composite
def backward_examples(draw):
    case = draw(depthwise_cases(SPACE))
    seed = draw(st.integers(0, 2**32 - 1))
    data, weight = seeded_normal(case, seed)
    grad_out = np.random.default_rng(seed + 1).standard_normal(case.output_shape).astype(case.dtype)
    return case, data, weight, grad_out


def gradient_bounds(case, data, weight, grad_out, reference_dtype):
    """Per-element bounds for (grad_input, grad_weight) with the reduction lengths above."""
    mag_x, mag_w = numpy_gradients(case, np.abs(data), np.abs(weight), np.abs(grad_out))
    input_length = case.kernel_h * case.kernel_w * case.multiplier
    weight_length = case.batch * case.out_height * case.out_width
    return (dot_product_bound(input_length, mag_x, case.dtype, reference_dtype),
            dot_product_bound(weight_length, mag_w, case.dtype, reference_dtype))


def test_backward(backward_target, run_results):
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
        grad_input, grad_weight = build_backward(case, target)
        actual = (grad_input(weight, grad_out), grad_weight(data, grad_out))
        verdicts = {which: [] for which in ROWS}
        for ref_name, ref, ref_dtype in (("numpy", numpy_gradients, "float64"), ("torch", torch_gradients, case.dtype)):
            expected = ref(case, data, weight, grad_out)
            bounds = gradient_bounds(case, data, weight, grad_out, ref_dtype)
            for which, a, e, b in zip(("input", "weight"), actual, expected, bounds):
                verdicts[which].append(compare(ref_name, a, e, b))
        seconds = (time.perf_counter() - started) / len(ROWS)
        for which, vs in verdicts.items():
            run_results.record_verdicts(f"topi_backward_{which}_nhwc", target.name, vs, seconds)
        failing = [f"{which} vs {v.reference}: {v.message}" for which, vs in verdicts.items() for v in vs if not v.passed]
        assert not failing, f"{case.summary()}:\n" + "\n".join(failing)

    check()

"""The error model: its bound holds for correct float computations and is tight enough
to reject a wrong one."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.comparison import compare
from reference.numpy_oracle import numpy_reference
from reference.tolerance import error_bound, gamma
from model.case import DepthwiseCase
from model.space import CaseSpace
from strategies.cases import depthwise_cases
from model.example import seeded_normal


def test_gamma_is_highams():
    u = np.finfo(np.float32).eps / 2
    assert gamma(9, "float32") == pytest.approx(9 * u / (1 - 9 * u), rel=1e-12)
    assert gamma(9, "float64") < gamma(9, "float32")
    with pytest.raises(ValueError):
        gamma(2**24, "float32")


def float32_depthwise(case, data, weight, order):
    """The convolution in float32 with the taps summed in a given order (a 'correct kernel')."""
    x, w = case.to_canonical(data, weight)
    x = np.pad(x, ((0, 0), (0, 0), (case.pad_top, case.pad_bottom), (case.pad_left, case.pad_right)))
    oh, ow = case.out_height, case.out_width
    out = np.zeros((case.batch, case.channels, case.multiplier, oh, ow), np.float32)
    taps = [(i, j) for i in range(case.kernel_h) for j in range(case.kernel_w)]
    for t in order(len(taps)):
        i, j = taps[t]
        patch = x[:, :, None, i * case.dilation_h: i * case.dilation_h + case.stride_h * (oh - 1) + 1: case.stride_h,
                  j * case.dilation_w: j * case.dilation_w + case.stride_w * (ow - 1) + 1: case.stride_w]
        out = (out + (patch * w[None, :, :, i, j, None, None]).astype(np.float32)).astype(np.float32)
    return case.from_canonical_output(out.reshape(case.batch, case.out_channels, oh, ow))


@settings(max_examples=100, deadline=None)
@given(depthwise_cases(CaseSpace(max_kernel=7)), st.integers(0, 2**32 - 1), st.booleans())
def test_bound_holds_for_float32_in_any_summation_order(case, seed, reverse):
    data, weight = seeded_normal(case, seed)
    order = (lambda n: reversed(range(n))) if reverse else range
    actual = float32_depthwise(case, data, weight, order)
    magnitude = numpy_reference(case, np.abs(data), np.abs(weight))
    verdict = compare("numpy", actual, numpy_reference(case, data, weight),
                      error_bound(case, magnitude, "float32", "float64"))
    assert verdict.passed, verdict.message


def test_bound_rejects_a_small_but_real_error():
    # One weight off by 2**-10 of its value is a wrong kernel; the bound must see it.
    case = DepthwiseCase(channels=4, height=6, width=6, kernel_h=3, kernel_w=3)
    data, weight = seeded_normal(case, 3)
    wrong_weight = weight.copy()
    wrong_weight[1, 0, 1, 1] *= np.float32(1 + 2**-10)
    actual = float32_depthwise(case, data, wrong_weight, range)
    magnitude = numpy_reference(case, np.abs(data), np.abs(weight))
    verdict = compare("numpy", actual, numpy_reference(case, data, weight),
                      error_bound(case, magnitude, "float32", "float64"))
    assert not verdict.passed
    assert verdict.wrong_count > 0 and verdict.wrong_positions[0][1] == 1


def test_shape_mismatch_fails_with_infinite_error():
    verdict = compare("numpy", np.zeros((1, 1, 2, 2)), np.zeros((1, 1, 3, 2)), np.ones((1, 1, 3, 2)))
    assert verdict.status == "fail" and "shape" in verdict.message


def test_a_kernel_is_held_to_the_format_of_its_output():
    """float16 in, float32 out promises float32 arithmetic; stages before the convolution (the
    expansion) stay in the inputs' format, and the bound composes the two."""
    from model.case import DepthwiseCase
    from model.epilogue import MOBILENET_V2, roundings, roundings_before_conv
    from reference.tolerance import block_gamma, computed_in, gamma

    bare = DepthwiseCase(channels=3, kernel_h=3, kernel_w=3, height=3, width=3, dtype="float16")
    assert computed_in(bare, "float16") == "float16" and computed_in(bare, "float32") == "float32"
    assert computed_in(DepthwiseCase(dtype="int8"), "int32") == "int8"
    block = DepthwiseCase(channels=3, kernel_h=3, kernel_w=3, height=3, width=3, dtype="float16", epilogue=MOBILENET_V2)
    assert computed_in(block, "float32") == "float16->float32"
    n, k = roundings(block), roundings_before_conv(block)
    assert k == 3 and gamma(n, "float32") < block_gamma(block, "float16->float32") < gamma(n, "float16")
    assert block_gamma(block, "float16->float32") == (1 + gamma(k, "float16")) * (1 + gamma(n - k, "float32")) - 1

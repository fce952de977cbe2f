"""The float64 oracle against hand-computed outputs and a direct loop transcription."""
import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings

from reference.gradients import numpy_gradients, torch_gradients
from reference.numpy_oracle import numpy_reference
from model.case import PADDING_MODES, DepthwiseCase
from model.space import CaseSpace
from strategies.cases import depthwise_cases
from model.example import seeded_normal

X = np.arange(1, 10, dtype=np.float64).reshape(1, 1, 3, 3)  # 1 2 3 / 4 5 6 / 7 8 9
ONES = np.ones((1, 1, 2, 2))


def test_no_padding_sums_each_window():
    case = DepthwiseCase(height=3, width=3, kernel_h=2, kernel_w=2)
    assert numpy_reference(case, X, ONES)[0, 0].tolist() == [[12, 16], [24, 28]]


def test_padding_corners_see_zeros():
    case = DepthwiseCase(height=3, width=3, kernel_h=2, kernel_w=2, pad_top=1, pad_left=1,
                         pad_bottom=1, pad_right=1)
    out = numpy_reference(case, X, ONES)[0, 0]
    assert out.shape == (4, 4)
    assert (out[0, 0], out[0, 3], out[3, 0], out[3, 3]) == (1, 3, 7, 9)
    assert out[1, 1] == 12 and out[0, 1] == 3


def test_asymmetric_padding_and_stride():
    # pad only the bottom and right, stride 2: windows start at rows/cols 0 and 2
    case = DepthwiseCase(height=3, width=3, kernel_h=2, kernel_w=2, stride_h=2, stride_w=2,
                         pad_bottom=1, pad_right=1)
    assert numpy_reference(case, X, ONES)[0, 0].tolist() == [[12, 9], [15, 9]]


def test_dilation_skips_rows_and_columns():
    case = DepthwiseCase(height=3, width=3, kernel_h=2, kernel_w=2, dilation_h=2, dilation_w=2)
    assert numpy_reference(case, X, ONES)[0, 0].tolist() == [[1 + 3 + 7 + 9]]


def test_multiplier_numbers_output_channels_like_topi():
    # Output channel c*M + m convolves input channel c with weight[c, m].
    case = DepthwiseCase(channels=2, multiplier=2, height=1, width=1)
    data = np.array([10.0, 20.0]).reshape(1, 2, 1, 1)
    weight = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(2, 2, 1, 1)
    assert numpy_reference(case, data, weight).ravel().tolist() == [10, 20, 60, 80]


def border_index(i: int, n: int, mode: str) -> int | None:
    """Which input pixel of an axis of length n position i (maybe outside it) reads; None: a zero."""
    if 0 <= i < n:
        return i
    if mode == "reflect":  # mirrored about the edge pixel
        return -i if i < 0 else 2 * (n - 1) - i
    if mode == "replicate":
        return min(max(i, 0), n - 1)
    if mode == "circular":
        return i % n
    return None


def loop_reference(case, data, weight):
    """The definition, one output element at a time (slow; for cross-checking only)."""
    x, w = case.to_canonical(data, weight)
    out = np.zeros((case.batch, case.out_channels, case.out_height, case.out_width))
    for n in range(case.batch):
        for c in range(case.out_channels):
            for i in range(case.out_height):
                for j in range(case.out_width):
                    for a in range(case.kernel_h):
                        for b in range(case.kernel_w):
                            r = border_index(i * case.stride_h + a * case.dilation_h - case.pad_top,
                                             case.height, case.padding_mode)
                            s = border_index(j * case.stride_w + b * case.dilation_w - case.pad_left,
                                             case.width, case.padding_mode)
                            if r is not None and s is not None:
                                out[n, c, i, j] += (x[n, c // case.multiplier, r, s]
                                                    * w[c // case.multiplier, c % case.multiplier, a, b])
    return case.from_canonical_output(out)


@settings(max_examples=100, deadline=None)
@given(depthwise_cases(CaseSpace(max_work=3000, padding_modes=tuple(PADDING_MODES))))
def test_oracle_equals_the_loop_definition(case):
    rng = np.random.default_rng(1)
    data, weight = rng.standard_normal(case.input_shape), rng.standard_normal(case.weight_shape)
    np.testing.assert_allclose(numpy_reference(case, data, weight), loop_reference(case, data, weight),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("layout", ["NCHW", "NHWC"])
def test_oracle_computes_in_float64(layout):
    case = DepthwiseCase(height=1, width=2, kernel_w=2, dtype="float32", layout=layout)
    data = np.array([1.0, 1e-8], dtype=np.float32).reshape(case.input_shape)
    weight = np.ones(case.weight_shape, dtype=np.float32)
    assert numpy_reference(case, data, weight).dtype == np.float64
    assert numpy_reference(case, data, weight).item() == 1.0 + float(np.float32(1e-8))


def test_oracle_and_magnitude_in_one_pass_equal_two_oracle_calls():
    from reference.numpy_oracle import numpy_reference_and_magnitude

    for case in (DepthwiseCase(channels=3, multiplier=2, height=6, width=5, kernel_h=3, pad_top=1, stride_w=2),
                 DepthwiseCase(layout="NHWC", batch=2, channels=2, height=5, width=7, dilation_w=2, pad_right=3)):
        data, weight = seeded_normal(case, 4)
        oracle, magnitude = numpy_reference_and_magnitude(case, data, weight)
        np.testing.assert_array_equal(oracle, numpy_reference(case, data, weight))
        np.testing.assert_array_equal(magnitude, numpy_reference(case, np.abs(data), np.abs(weight)))


# ---- the family: 1-D, 3-D and transposed, against loops over their definitions -------------------
FAMILY = CaseSpace(ranks=(1, 2, 3), directions=(False, True), layouts=("NCW", "NWC", "NCHW", "NHWC", "NCDHW", "NDHWC"),
                   dtypes=("float64",), max_work=3000, max_kernel=3, max_extent=4, max_channels=3)


def loop_definition(case, x, w):
    """Element by element, channels first: forward, output o reads input o*s + t*d - pad_before;
    transposed, input i adds into output i*s + t*d - pad_before (output padding: zeros after)."""
    out = np.zeros((case.batch, case.out_channels, *case.out_sizes))
    for n in range(case.batch):
        for c in range(case.channels):
            for m in range(case.multiplier):
                for tap in np.ndindex(*case.kernel):
                    if case.transposed:
                        for i in np.ndindex(*case.sizes):
                            o = tuple(i_ * a.stride + t * a.dilation - a.pad_before
                                      for i_, t, a in zip(i, tap, case.axes))
                            if all(0 <= o_ < size for o_, size in zip(o, case.out_sizes)):
                                out[(n, c * case.multiplier + m, *o)] += x[(n, c, *i)] * w[(c, m, *tap)]
                    else:
                        for o in np.ndindex(*case.out_sizes):
                            i = tuple(o_ * a.stride + t * a.dilation - a.pad_before
                                      for o_, t, a in zip(o, tap, case.axes))
                            if all(0 <= i_ < size for i_, size in zip(i, case.sizes)):
                                out[(n, c * case.multiplier + m, *o)] += x[(n, c, *i)] * w[(c, m, *tap)]
    return out


@settings(max_examples=150)
@given(depthwise_cases(FAMILY))
def test_the_family_matches_a_loop_over_its_definition(case):
    rng = np.random.default_rng(0)
    data, weight = rng.standard_normal(case.input_shape), rng.standard_normal(case.weight_shape)
    x, w = case.to_canonical(data, weight)
    expected = case.from_canonical_output(loop_definition(case, x, w))
    np.testing.assert_allclose(numpy_reference(case, data, weight), expected, rtol=1e-12, atol=1e-12)


def test_a_transposed_convolution_scatters_and_crops():
    # input [1, 2] scattered by taps [1, 10] at stride 2: [1, 10, 2, 20], then output padding 1
    # appends a zero, and pads (1, 0) crop the first element.
    case = DepthwiseCase(rank=1, transposed=True, width=2, kernel_w=2, stride_w=2, pad_left=1, output_padding_w=1)
    out = numpy_reference(case, np.array([[[1.0, 2.0]]]), np.array([[[1.0, 10.0]]]))
    assert out.ravel().tolist() == [10, 2, 20, 0]


# ---- gradients: the adjoints of the convolution, for every member ------------------------------
GRADIENT_FAMILY = dataclasses.replace(FAMILY, max_work=6000, max_extent=6, max_channels=4)


@settings(max_examples=150, deadline=None)
@given(depthwise_cases(GRADIENT_FAMILY))
def test_numpy_gradients_are_the_convolutions_adjoints(case):
    """The convolution is linear in the data and in the weight, so its gradients are adjoints:
    <conv(x', w), g> = <x', dx> and <conv(x, w'), g> = <w', dw> for any x', w' (float64: equal
    to rounding)."""
    rng = np.random.default_rng(1)
    data, data2 = rng.standard_normal((2, *case.input_shape))
    weight, weight2 = rng.standard_normal((2, *case.weight_shape))
    grad_out = rng.standard_normal(case.output_shape)
    grad_x, grad_w = numpy_gradients(case, data, weight, grad_out)
    assert grad_x.shape == case.input_shape and grad_w.shape == case.weight_shape
    scale = np.abs(grad_out).sum() * 1e-12 * (np.abs(data2).max() + np.abs(weight2).max() + 1) * 100
    assert abs(np.vdot(numpy_reference(case, data2, weight), grad_out) - np.vdot(data2, grad_x)) <= scale * np.abs(weight).max()
    assert abs(np.vdot(numpy_reference(case, data, weight2), grad_out) - np.vdot(weight2, grad_w)) <= scale * np.abs(data).max()


@settings(max_examples=60, deadline=None)
@given(depthwise_cases(GRADIENT_FAMILY))
def test_torch_autograd_gives_the_same_gradients(case):
    rng = np.random.default_rng(2)
    data, weight = rng.standard_normal(case.input_shape), rng.standard_normal(case.weight_shape)
    grad_out = rng.standard_normal(case.output_shape)
    for ours, torch_s in zip(numpy_gradients(case, data, weight, grad_out), torch_gradients(case, data, weight, grad_out)):
        np.testing.assert_allclose(torch_s, ours, rtol=1e-10, atol=1e-10)

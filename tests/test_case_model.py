"""The case model: geometry, FLOP counts, summary() and layout conversion."""
import numpy as np
import pytest
from hypothesis import given, settings

from model.axis import ALL_LAYOUTS, conv_out_size
from model.case import DepthwiseCase
from model.space import CaseSpace
from strategies.cases import depthwise_cases
from strategies.pinned import SEED_CHAPTER_CASE


def test_output_size_matches_the_seed_formula_for_symmetric_padding():
    for n, k, p, s in [(12, 3, 1, 1), (7, 7, 0, 1), (5, 2, 3, 3), (1, 1, 0, 4)]:
        assert conv_out_size(n, k, p, p, s) == (n - k + 2 * p) // s + 1


def test_output_size_with_dilation_and_asymmetric_padding():
    # dilated kernel 1 + 2*(3-1) = 5; padded length 6 + 1 + 2 = 9; (9 - 5) // 2 + 1 = 3
    assert conv_out_size(6, 3, 1, 2, 2, dilation=2) == 3


def test_seed_chapter_flops():
    # The chapter: ic=256, oh=ow=12, kh=kw=3; with oc=512 the dense convolution takes
    # 339,738,624 FLOPs and depthwise + pointwise 38,412,288.
    case = SEED_CHAPTER_CASE
    assert case.output_shape == (1, 256, 12, 12)
    assert case.flops == 2 * 256 * 12 * 12 * 9
    dense = DepthwiseCase(**{**case.to_dict(), "multiplier": 2})  # C_out = 512
    assert dense.dense_flops == 339_738_624
    pointwise = 2 * 256 * 12 * 12 * 512
    assert case.flops + pointwise == 38_412_288


@settings(max_examples=200)
@given(depthwise_cases())
def test_summary_is_python_that_rebuilds_the_case(case):
    assert eval(case.summary()) == case
    assert DepthwiseCase.from_dict(case.to_dict()) == case


@pytest.mark.parametrize("bad", [dict(channels=0), dict(pad_top=-1), dict(layout="CHWN"),
                                 dict(dtype="int16"), dict(height=2, kernel_h=3), dict(stride_w=0),
                                 dict(epilogue="relu+bias"), dict(epilogue="gelu"), dict(epilogue="relu+relu6"),
                                 dict(dtype="int8", epilogue="bias"), dict(padding_mode="mirror"),
                                 # reflect pads at most extent - 1, circular at most the extent
                                 dict(height=2, pad_top=2, padding_mode="reflect"),
                                 dict(width=2, pad_right=3, padding_mode="circular")])
def test_invalid_cases_are_refused(bad):
    with pytest.raises(ValueError):
        DepthwiseCase(**bad)


def test_padding_modes_take_pads_up_to_what_their_border_can_copy():
    assert DepthwiseCase(height=2, pad_top=1, pad_bottom=1, padding_mode="reflect").out_height == 4
    assert DepthwiseCase(width=2, pad_left=2, pad_right=2, padding_mode="circular").out_width == 6
    assert DepthwiseCase(width=2, pad_left=5, padding_mode="replicate").out_width == 7


def test_layout_conversion_round_trips():
    nchw = DepthwiseCase(batch=2, channels=3, multiplier=2, height=4, width=5, kernel_h=2, kernel_w=3)
    nhwc = nchw.with_layout("NHWC")
    assert nhwc.input_shape == (2, 4, 5, 3) and nhwc.weight_shape == (2, 3, 3, 2)
    assert nhwc.output_shape == (2, 3, 3, 6)
    rng = np.random.default_rng(0)
    data, weight = rng.standard_normal(nhwc.input_shape), rng.standard_normal(nhwc.weight_shape)
    x, w = nhwc.to_canonical(data, weight)
    assert x.shape == nchw.input_shape and w.shape == nchw.weight_shape
    assert x[1, 2, 3, 4] == data[1, 3, 4, 2] and w[2, 1, 0, 2] == weight[0, 2, 2, 1]


FAMILY = CaseSpace(ranks=(1, 2, 3), directions=(False, True), layouts=ALL_LAYOUTS, dtypes=("float32", "int8"))


@settings(max_examples=200)
@given(depthwise_cases(FAMILY))
def test_family_summaries_rebuild_the_case(case):
    assert eval(case.summary()) == case
    assert DepthwiseCase.from_dict(case.to_dict()) == case
    assert len(case.input_shape) == len(case.output_shape) == len(case.weight_shape) == case.rank + 2


def test_a_transposed_size_is_torchs_formula():
    case = DepthwiseCase(rank=1, transposed=True, width=5, kernel_w=3, stride_w=2, pad_left=1, pad_right=1,
                         dilation_w=2, output_padding_w=1)
    assert case.out_width == (5 - 1) * 2 - 2 * 1 + 2 * (3 - 1) + 1 + 1 == 12


def test_a_lower_rank_reads_as_the_higher_one_with_size_1_axes():
    one = DepthwiseCase(rank=1, channels=2, width=7, kernel_w=3, stride_w=2, transposed=True, output_padding_w=1)
    assert one.height == one.kernel_h == 1 and one.pad_top == 0
    lifted = one.lifted()
    assert lifted.rank == 2 and lifted.layout == "NCHW" and lifted.out_sizes == (1, one.out_width)
    assert lifted.lifted().rank == 3 and lifted.lifted().depth == 1
    assert one.summary() == ("DepthwiseCase(channels=2, rank=1, transposed=True, width=7, kernel_w=3, stride_w=2, "
                             "output_padding_w=1)")


@pytest.mark.parametrize("bad", [dict(rank=4), dict(rank=1, kernel_h=2), dict(rank=1, layout="NCHW"),
                                 dict(output_padding_w=1),  # a forward case has none
                                 dict(transposed=True, stride_w=2, output_padding_w=2),  # < max(stride, dilation)
                                 dict(transposed=True, width=1, pad_left=1),  # an empty output
                                 dict(transposed=True, padding_mode="reflect"),
                                 dict(rank=3, epilogue="bias+relu"), dict(transposed=True, epilogue="bn")])  # the family takes a bias only
def test_invalid_family_cases_are_refused(bad):
    with pytest.raises(ValueError):
        DepthwiseCase(**bad)

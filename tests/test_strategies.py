"""The strategies draw only valid cases, within the work budget, and reach the edges."""
import numpy as np
from hypothesis import find, given, settings
from hypothesis import strategies as st

from model.case import DepthwiseCase
from model.space import MAX_WORK, CaseSpace
from strategies.cases import PRIMES, depthwise_cases, padding_pairs
from model.example import VALUE_BOUND, seeded_normal
from strategies.inputs import conv_examples


@settings(max_examples=500)
@given(depthwise_cases())
def test_every_drawn_case_is_valid_and_affordable(case):
    # DepthwiseCase's constructor refuses invalid cases; recheck the output explicitly.
    assert case.out_height >= 1 and case.out_width >= 1
    assert case.work <= MAX_WORK


@settings(max_examples=200)
@given(st.data())
def test_cases_stay_inside_the_kernel_space(data):
    space = CaseSpace(layouts=("NHWC",), dtypes=("float64",), max_multiplier=1, max_dilation=1,
                      asymmetric_padding=False)
    case = data.draw(depthwise_cases(space))
    assert case.layout == "NHWC" and case.dtype == "float64"
    assert case.multiplier == 1 and case.dilation == (1, 1) and case.is_symmetric


@settings(max_examples=100)
@given(conv_examples())
def test_inputs_are_finite_bounded_and_shaped(ex):
    for array, shape in ((ex.data, ex.case.input_shape), (ex.weight, ex.case.weight_shape)):
        assert array.shape == shape and array.dtype == np.dtype(ex.case.dtype)
        assert np.isfinite(array).all() and np.abs(array).max(initial=0) <= VALUE_BOUND


def test_seeded_inputs_are_reproducible_and_simplify_to_integers():
    case = DepthwiseCase(channels=3, height=4, width=4)
    first, again = seeded_normal(case, 7), seeded_normal(case, 7)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    data, weight = seeded_normal(case, 7, fraction_bits=0)
    assert np.array_equal(data, np.round(data)) and np.array_equal(weight, np.round(weight))
    assert not np.array_equal(first[0], np.round(first[0]))


EDGES = {
    "1x1 kernel and input": lambda c: c.kernel_h == c.kernel_w == 1 and c.height == c.width == 1,
    "single channel": lambda c: c.channels == 1,
    "kernel covers the padded input": lambda c: c.out_height == 1 and c.out_width == 1
    and c.height + c.pad_top + c.pad_bottom == c.dilation_h * (c.kernel_h - 1) + 1,
    "stride larger than kernel": lambda c: c.stride_h > c.kernel_h and c.stride_w > c.kernel_w,
    "padding larger than kernel": lambda c: c.pad_top > c.kernel_h or c.pad_right > c.kernel_w,
    "asymmetric padding": lambda c: not c.is_symmetric,
    "prime sizes": lambda c: c.height in PRIMES and c.width in PRIMES and c.channels in PRIMES,
    "multiplier and dilation": lambda c: c.multiplier > 1 and c.dilation_h > 1,
    "NHWC": lambda c: c.layout == "NHWC",
}


def test_strategy_reaches_every_edge():
    for name, predicate in EDGES.items():
        found = find(depthwise_cases(), predicate, settings=settings(max_examples=2000, database=None))
        assert isinstance(found, DepthwiseCase) and predicate(found), name


def test_a_padding_bug_on_either_side_shrinks_to_that_side_alone():
    """Whichever side a bug needs, the minimal pair is (1, 0) or (0, 1), never (1, 1)."""
    how = settings(max_examples=2000, database=None)
    assert find(padding_pairs(3, True), lambda pair: pair[0] >= 1, settings=how) == (1, 0)
    assert find(padding_pairs(3, True), lambda pair: pair[1] >= 1, settings=how) == (0, 1)
    assert find(padding_pairs(3, True), lambda pair: min(pair) >= 1, settings=how) == (1, 1)


@settings(max_examples=300, database=None, derandomize=True)
@given(depthwise_cases(CaseSpace(layouts=("NCHW",))))
def test_long_rows_stay_within_the_row_limit(case):
    assert case.width <= max(CaseSpace().max_row, CaseSpace().max_extent + case.kernel_w * case.dilation_w)


def test_output_rows_reach_lane_width_edges_past_the_plain_lengths():
    for out in (17, 33, 64, 65):
        found = find(depthwise_cases(), lambda case, out=out: case.out_width == out and case.width >= out,
                     settings=settings(max_examples=3000, database=None, derandomize=True))
        assert found.out_width == out and found.work <= MAX_WORK


MODES = CaseSpace(padding_modes=("zeros", "reflect", "replicate", "circular"), same_padding=True)


@settings(max_examples=400, database=None)
@given(depthwise_cases(MODES))
def test_every_drawn_padding_mode_case_is_valid_and_affordable(case):
    # the constructor refuses pads a reflect/circular border cannot copy; the budget holds too
    assert case.padding_mode in MODES.padding_modes and case.work <= MAX_WORK


def test_padding_modes_reach_the_longest_pad_their_border_can_copy():
    how = settings(max_examples=3000, database=None, derandomize=True)
    reflect = find(depthwise_cases(MODES), lambda c: c.padding_mode == "reflect" and c.pad_top == c.height - 1 > 0,
                   settings=how)
    circular = find(depthwise_cases(MODES), lambda c: c.padding_mode == "circular" and c.pad_right == c.width > 1,
                    settings=how)
    assert reflect.pad_top == reflect.height - 1 and circular.pad_right == circular.width
    # a failure shrinks towards zeros: the mode is drawn first-biased
    assert find(depthwise_cases(MODES), lambda c: any(c.padding), settings=how).padding_mode == "zeros"


def test_channels_last_cases_reach_the_channel_vector_tails():
    """C is the vectorized axis of a channels-last layout: counts past each lane width are drawn."""
    space = CaseSpace(layouts=("NHWC",), lane_channels=True)
    for channels in (17, 33, 65):
        found = find(depthwise_cases(space), lambda c: c.channels == channels, settings=settings(max_examples=2000))
        assert found.channels == channels


def test_every_member_of_the_family_is_drawn():
    space = CaseSpace(ranks=(1, 2, 3), directions=(False, True), layouts=("NCW", "NCHW", "NCDHW"))
    for rank in (1, 2, 3):
        for transposed in (False, True):
            found = find(depthwise_cases(space), lambda c: c.rank == rank and c.transposed == transposed,
                         settings=settings(max_examples=2000))
            assert found.op_name == f"conv{rank}d" + ("_transpose" if transposed else "")

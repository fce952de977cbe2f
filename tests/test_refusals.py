"""Inputs that must be refused: the paths' harness itself accepts a valid convolution (so a
refusal is TVM's, not the harness's), the strategy draws exactly the defect asked for, and a
row writes up what was not refused."""
import pytest
from hypothesis import given, settings

from kernels.refusal_paths import REFUSAL_PATHS
from model.invalid import DEFECTS, InvalidConv
from strategies.invalid import invalid_convs, valid_base

VALID = InvalidConv(data_shape=(1, 2, 4, 4), weight_shape=(2, 1, 2, 2), groups=2, defect="none")


@pytest.mark.parametrize("path", REFUSAL_PATHS.values(), ids=lambda p: p.name)
def test_a_valid_convolution_is_accepted(path, llvm):
    verdict, what = path.attempt(VALID.to_dict(), dict(llvm.spec), True)
    assert verdict == "accepted", what


@settings(max_examples=50, deadline=None)
@given(valid_base())
def test_the_base_is_valid(conv):
    assert all(size >= 1 for size in conv.output_shape)


@settings(max_examples=100, deadline=None)
@given(invalid_convs())
def test_each_drawn_input_has_its_defect(conv):
    n, c, h, w = conv.data_shape
    out = conv.output_shape
    holds = {
        "empty_output": out[2] is not None and out[2] <= 0,
        "zero_stride": 0 in conv.stride,
        "negative_stride": min(conv.stride) < 0,
        "zero_dilation": 0 in conv.dilation,
        "negative_dilation": min(conv.dilation) < 0,
        "negative_padding": min(conv.padding) < 0,
        "weight_channels": conv.weight_shape[0] != c and conv.grouped_weight_shape[1] * conv.groups != c,
        "groups_not_dividing": c % conv.groups != 0,
        "mixed_dtypes": conv.data_dtype != conv.weight_dtype,
        "output_shape": True,
    }
    assert set(holds) == set(DEFECTS)
    assert holds[conv.defect], conv

"""The deployed block (model/epilogue.py): its oracle, its error bound, its integer cases, the
references that compute it, and the Relax kernel that builds it (kernels/relax_block.py)."""
import dataclasses

import numpy as np
import pytest
from hypothesis import given

from kernels.relax_block import pinned_sweep, prepare, relax_block
from model.case import DepthwiseCase
from model.epilogue import EPILOGUES, MOBILENET_V2, block_output_shape, parameter_shapes, roundings
from model.example import seeded_example
from model.space import CaseSpace
from reference.block_oracle import numpy_block
from reference.comparison import compare
from reference.tolerance import error_bound
from strategies.inputs import conv_examples

BLOCK_SPACE = CaseSpace(dtypes=("float32", "float64", "float16", "bfloat16"), epilogues=EPILOGUES, max_channels=8,
                        max_work=20_000)


def test_the_oracle_of_the_mobilenet_block_is_its_definition():
    """expand -> depthwise -> BN -> ReLU6 -> project -> + residual, written out with loops."""
    case = DepthwiseCase(channels=2, multiplier=2, height=3, width=3, kernel_h=2, kernel_w=2, pad_right=1,
                         epilogue=MOBILENET_V2, dtype="float64")
    ex = seeded_example(case, 4)
    a = {k: v.astype(np.float64) for k, v in ex.arrays.items()}
    x = np.einsum("oc,nchw->nohw", a["expand_weight"], a["data"])
    x = np.pad(x, ((0, 0), (0, 0), (0, 0), (0, 1)))
    y = np.zeros((1, 4, 2, 3))
    for c in range(2):
        for m in range(2):
            for i in range(2):
                for j in range(3):
                    y[0, 2 * c + m, i, j] = np.sum(x[0, c, i:i + 2, j:j + 2] * a["weight"][c, m])
    scale = a["bn_gamma"] / np.sqrt(a["bn_var"] + 1e-5)
    y = (y - a["bn_mean"][:, None, None]) * scale[:, None, None] + a["bn_beta"][:, None, None]
    y = np.clip(y, 0, 6)
    expected = np.einsum("oc,nchw->nohw", a["project_weight"], y) + a["residual"]
    out, magnitude, _ = numpy_block(case, ex.arrays)
    assert out.shape == block_output_shape(case) == (1, 2, 2, 3)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    assert (magnitude >= np.abs(out) - 1e-12).all()


def float32_block(case, arrays):
    """A correct block computed in float32 in another order: BN folded into one scale and shift
    (x * s + (beta - mean * s)), the taps and channels summed by numpy in float32."""
    f = {k: np.asarray(v, np.float32) for k, v in arrays.items()}
    nchw = dataclasses.replace(case, layout="NCHW", epilogue="", dtype="float32")
    x, w = case.to_canonical(f["data"], f["weight"])
    parts = case.epilogue.split("+")
    if "expand" in parts:
        x = np.einsum("oc,nchw->nohw", f["expand_weight"], x).astype(np.float32)
    x = np.pad(x, ((0, 0), (0, 0), (case.pad_top, case.pad_bottom), (case.pad_left, case.pad_right)))
    y = np.zeros((case.batch, case.channels, case.multiplier, nchw.out_height, nchw.out_width), np.float32)
    for i in reversed(range(case.kernel_h)):
        for j in range(case.kernel_w):
            rows = slice(i * case.dilation_h, i * case.dilation_h + case.stride_h * (nchw.out_height - 1) + 1, case.stride_h)
            cols = slice(j * case.dilation_w, j * case.dilation_w + case.stride_w * (nchw.out_width - 1) + 1, case.stride_w)
            y = (y + x[:, :, None, rows, cols] * w[None, :, :, i, j, None, None]).astype(np.float32)
    y = y.reshape(case.batch, case.out_channels, nchw.out_height, nchw.out_width)
    per = lambda v: v[None, :, None, None]  # noqa: E731
    if "bias" in parts:
        y = y + per(f["bias"])
    if "bn" in parts:
        s = (f["bn_gamma"] / np.sqrt(f["bn_var"] + np.float32(1e-5))).astype(np.float32)
        y = (y * per(s) + per((f["bn_beta"] - f["bn_mean"] * s).astype(np.float32))).astype(np.float32)
    if "relu" in parts:
        y = np.maximum(y, np.float32(0))
    if "relu6" in parts:
        y = np.clip(y, np.float32(0), np.float32(6))
    if "project" in parts:
        y = np.einsum("oc,nchw->nohw", f["project_weight"], y).astype(np.float32)
    if "residual" in parts:
        r = f["residual"] if case.layout == "NCHW" else f["residual"].transpose(0, 3, 1, 2)
        y = y + r
    return case.from_canonical_output(y.astype(np.float32))


def test_the_bound_holds_for_a_correct_block_and_rejects_a_wrong_one(self_test):
    @self_test(80)
    @given(conv_examples(dataclasses.replace(BLOCK_SPACE, dtypes=("float32",))))
    def check(ex):
        case = ex.case
        oracle, magnitude, floor = numpy_block(case, ex.arrays)
        bound = error_bound(case, magnitude, "float32", "float64", floor)
        assert compare("float32", float32_block(case, ex.arrays), oracle, bound).passed
        if "bias" in case.epilogue and case.out_channels > 1:
            wrong = dict(ex.arrays, bias=np.roll(ex.arrays["bias"], 1))
            if not np.array_equal(wrong["bias"], ex.arrays["bias"]):
                assert compare("wrong", float32_block(case, wrong), oracle, bound).failed

    check()


def test_each_epilogue_step_adds_its_roundings():
    bare = DepthwiseCase(channels=3, multiplier=2, kernel_h=3, kernel_w=2, height=3, width=2)
    assert roundings(bare) == 6
    assert roundings(dataclasses.replace(bare, epilogue="bias+relu6")) == 7
    assert roundings(dataclasses.replace(bare, epilogue=MOBILENET_V2)) == 6 + 3 + 8 + 6 + 1
    assert list(parameter_shapes(dataclasses.replace(bare, epilogue=MOBILENET_V2))) == [
        "expand_weight", "bn_gamma", "bn_beta", "bn_mean", "bn_var", "project_weight", "residual"]


def test_torch_computes_every_epilogue_within_the_bound(self_test):
    from reference.torch_reference import torch_reference

    pytest.importorskip("torch")

    @self_test(60)
    @given(conv_examples(BLOCK_SPACE))
    def check(ex):
        case = ex.case
        oracle, magnitude, floor = numpy_block(case, ex.arrays)
        torch_out = torch_reference(case, ex.data, ex.weight, **ex.extras)
        assert compare("torch", torch_out, oracle, error_bound(case, magnitude, case.dtype, "float64", floor)).passed

    check()


@pytest.mark.parametrize("dtype", ["int8", "uint8"])
def test_integer_cases_reach_the_ends_of_the_range_and_overflow_int16(dtype):
    info = np.iinfo(dtype)
    case = DepthwiseCase(channels=2, height=5, width=5, kernel_h=3, kernel_w=3, dtype=dtype)
    drawn = seeded_example(case, 1)
    assert drawn.data.dtype == dtype and {info.min, info.max} <= set(drawn.data.ravel().tolist())
    extremes = seeded_example(case, 1, 0)  # fraction bits 0: every value at an end
    assert set(extremes.data.ravel().tolist()) <= {info.min, info.max}
    out, _, floor = numpy_block(case, extremes.arrays)
    assert out.dtype == np.int64 and floor is None and np.abs(out).max() > np.iinfo(np.int16).max
    assert case.out_dtype == "int32" and not error_bound(case, np.abs(out), dtype, "float64").any()


def test_integer_references_are_exact():
    from reference.torch_reference import torch_reference

    pytest.importorskip("torch")
    case = DepthwiseCase(channels=3, multiplier=2, height=6, width=5, kernel_h=3, kernel_w=3, pad_top=1,
                         dtype="uint8", layout="NHWC")
    ex = seeded_example(case, 2, 0)
    oracle, _, _ = numpy_block(case, ex.arrays)
    np.testing.assert_array_equal(torch_reference(case, ex.data, ex.weight), oracle)


def test_every_sweep_example_is_valid_and_the_sweep_covers_each_drawn_value():
    from kernels.pipelines import PIPELINES
    from kernels.relax_block import DATA_LAYOUTS, KERNEL_LAYOUTS

    sweep = pinned_sweep()
    options = [o for _, _, o in sweep]
    assert {o["data_layout"] for o in options} == set(DATA_LAYOUTS)
    assert {o["kernel_layout"] for o in options} == set(KERNEL_LAYOUTS)
    assert {o["pipeline"] for o in options} == set(PIPELINES)
    assert {c.epilogue for _, c, _ in sweep} == set(EPILOGUES)
    assert {c.dtype for _, c, _ in sweep} >= {"float32", "float64", "float16", "bfloat16", "int8", "uint8"}
    assert any(o["out_layout"] != o["data_layout"] for o in options)


def test_the_constants_pipeline_binds_every_array_but_the_data():
    case = DepthwiseCase(channels=2, height=3, width=3, kernel_h=2, kernel_w=2, epilogue="bias+bn+relu6")
    options = {"pipeline": "constants", "constants": (7, None), "data_layout": "NCHW"}
    mod = prepare(relax_block(case), case, options)
    assert [p.name for p in mod["main"].params] == ["data"]


@pytest.mark.parametrize("epilogue", EPILOGUES)
@pytest.mark.parametrize("layout", ["NCHW", "NHWC"])
def test_every_epilogue_of_a_correct_float32_block_lies_within_the_bound(epilogue, layout):
    case = DepthwiseCase(batch=2, channels=3, multiplier=2, height=7, width=6, kernel_h=3, kernel_w=2, stride_h=2,
                         pad_top=1, pad_right=1, dilation_w=2, layout=layout, epilogue=epilogue)
    for seed in range(5):
        ex = seeded_example(case, seed)
        oracle, magnitude, floor = numpy_block(case, ex.arrays)
        verdict = compare("float32", float32_block(case, ex.arrays), oracle,
                          error_bound(case, magnitude, "float32", "float64", floor))
        assert verdict.passed, verdict.message

"""The three references agree with each other inside the error model, and a missing
optional package turns into a skip with its reason."""
import numpy as np
from hypothesis import given, settings

from conformance.checks import ExampleContext, column_verdicts
from kernels.registry import KERNELS
from reference.registry import REFERENCES, Reference
from model.optional import missing_package
from model.space import CaseSpace
from model.case import DepthwiseCase
from strategies.inputs import conv_examples
from model.example import seeded_example

FRAMEWORKS = [REFERENCES["torch"], REFERENCES["mxnet"]]


def verdicts_of(ex, actual, references):
    """The framework columns' verdicts on `actual` as a forward kernel's output."""
    return column_verdicts(references, ExampleContext(KERNELS["seed_te"], None, ex, actual, run=None))


@settings(max_examples=80, deadline=None)
@given(conv_examples(CaseSpace(dtypes=("float32", "float64"))))
def test_torch_and_mxnet_agree_with_the_float64_oracle(ex):
    for ref in FRAMEWORKS:
        expected = ref.compute(ex.case, ex.data, ex.weight)
        assert expected.shape == ex.case.output_shape
        verdicts = verdicts_of(ex, expected, [REFERENCES["numpy"]])
        assert verdicts[0].passed, f"{ref.name}: {verdicts[0].message}"


@settings(max_examples=40, deadline=None)
@given(conv_examples())
def test_torch_and_mxnet_agree_with_each_other(ex):
    torch_out = REFERENCES["torch"].compute(ex.case, ex.data, ex.weight)
    verdicts = verdicts_of(ex, torch_out, [REFERENCES["mxnet"]])
    assert verdicts[0].passed, verdicts[0].message


def test_a_missing_package_is_a_skip_with_its_reason():
    ghost = Reference("ghost", compute=lambda *a: None, module="dwconf_no_such_package")
    assert "dwconf_no_such_package" in missing_package("dwconf_no_such_package")
    case = DepthwiseCase(channels=2, height=3, width=3)
    (verdict,) = verdicts_of(seeded_example(case, 0), np.zeros(case.output_shape), [ghost])
    assert verdict.status == "skip" and "not usable here" in verdict.message


FAMILY = CaseSpace(ranks=(1, 2, 3), directions=(False, True), layouts=("NCW", "NWC", "NCHW", "NHWC", "NCDHW", "NDHWC"),
                   dtypes=("float32", "float64"), max_kernel=4, max_extent=6)


@settings(max_examples=80, deadline=None)
@given(conv_examples(FAMILY))
def test_every_framework_computes_the_family_within_its_bound(ex):
    for ref in (REFERENCES["torch"], REFERENCES["mxnet"], REFERENCES["onnxruntime"]):
        if ref.why_unsupported(ex.case):
            continue
        expected = ref.compute(ex.case, ex.data, ex.weight)
        assert expected.shape == ex.case.output_shape
        verdicts = verdicts_of(ex, expected, [REFERENCES["numpy"]])
        assert verdicts[0].passed, f"{ref.name}: {verdicts[0].message}"


def test_a_reference_declines_what_it_computes_wrong_naming_the_finding():
    case = DepthwiseCase(rank=1, transposed=True, width=2, kernel_w=2, stride_w=2, dilation_w=2, dtype="float64")
    assert "mxnet-deconvolution-float64-dilation" in REFERENCES["mxnet"].why_unsupported(case)
    assert "1-D/2-D natively" in REFERENCES["mxnet"].why_unsupported(DepthwiseCase(rank=3, transposed=True))
    assert "stride" in REFERENCES["onnxruntime"].why_unsupported(
        DepthwiseCase(rank=1, transposed=True, dilation_w=2, output_padding_w=1))

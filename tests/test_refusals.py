"""Inputs that must be refused: the paths' harness itself accepts a valid convolution of each
member it builds (so a refusal is TVM's, not the harness's), the strategy draws exactly the
defect asked for on every member, and a row writes up what was not refused."""
import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernels.refusal_paths import REFUSAL_PATHS
from model.axis import MEMBERS
from model.invalid import DEFECTS, TRANSPOSED_ONLY, InvalidConv
from reference.torch_reference import torch_on_invalid
from strategies.invalid import invalid_convs, member_of, valid_base

VALID = InvalidConv(data_shape=(1, 2, 4, 4), weight_shape=(2, 1, 2, 2), groups=2, defect="none")


def valid_member(member: str) -> InvalidConv:
    """A valid 2-channel convolution of `member`, every axis 4 long with a kernel of 2, stride 2
    (output padding 1 where transposed)."""
    rank, transposed = member_of(member)
    return dataclasses.replace(VALID, data_shape=(1, 2, *[4] * rank), weight_shape=(2, 1, *[2] * rank),
                               stride=(2,) * rank, padding=(0,) * 2 * rank, dilation=(1,) * rank,
                               transposed=transposed, output_padding=(1,) * rank if transposed else ())


@pytest.mark.parametrize("path, member", [(p, m) for p in REFUSAL_PATHS.values() for m in p.members],
                         ids=lambda v: getattr(v, "name", v))
def test_a_valid_convolution_is_accepted(path, member, llvm):
    verdict, what = path.attempt(valid_member(member).to_dict(), dict(llvm.spec), True)
    assert verdict == "accepted", what


@pytest.mark.parametrize("member", MEMBERS)
def test_torch_takes_the_valid_convolution(member):
    conv = valid_member(member)
    assert torch_on_invalid(conv) == f"torch returns an output of shape {conv.output_shape}"


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(MEMBERS).flatmap(lambda m: valid_base(member_of(m))))
def test_the_base_is_valid(conv):
    assert all(size >= 1 for size in conv.output_shape)


def has_defect(conv) -> dict:
    """defect -> whether `conv` has it."""
    c = conv.data_shape[1]
    weight_mismatch = (conv.grouped_weight_shape[0] != c if conv.transposed
                       else conv.weight_shape[0] != c and conv.grouped_weight_shape[1] * conv.groups != c)
    out_pad = conv.output_padding or (0,) * conv.rank
    return {
        "empty_output": any(size is not None and size <= 0 for size in conv.output_shape[2:]),
        "zero_stride": 0 in conv.stride,
        "negative_stride": min(conv.stride) < 0,
        "zero_dilation": 0 in conv.dilation,
        "negative_dilation": min(conv.dilation) < 0,
        "negative_padding": min(conv.padding) < 0,
        "weight_channels": weight_mismatch,
        "groups_not_dividing": c % conv.groups != 0,
        "mixed_dtypes": conv.data_dtype != conv.weight_dtype,
        "output_shape": True,
        "output_padding": any(p >= max(s, d) for p, s, d in zip(out_pad, conv.stride, conv.dilation)),
    }


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(MEMBERS).flatmap(
    lambda m: invalid_convs(tuple(d for d in DEFECTS if m.endswith("_transpose") or d not in TRANSPOSED_ONLY), (m,))))
def test_each_drawn_input_has_its_defect(conv):
    holds = has_defect(conv)
    assert set(holds) == set(DEFECTS)
    assert holds[conv.defect], conv
    assert len(conv.data_shape) == len(conv.weight_shape) == conv.rank + 2 == len(conv.padding) // 2 + 2


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(MEMBERS).flatmap(
    lambda m: invalid_convs(tuple(d for d in DEFECTS if d != "output_shape" and
                                  (m.endswith("_transpose") or d not in TRANSPOSED_ONLY)), (m,))))
def test_torch_refuses_what_the_rows_must_refuse(conv):
    """PyTorch, the report's comparison, refuses each drawn defect, so the rows ask TVM for
    nothing torch allows. Two measured exceptions (torch 2.13): a transposed convolution's pads,
    which torch takes symmetric only, may crop its output to nothing; and its dilation check is
    skipped on some paths (groups or batch > 1: `conv_transpose1d(ones(2, 1, 1), ones(1, 1, 1),
    dilation=0)` runs) where a 1-tap kernel makes the dilation irrelevant."""
    what = torch_on_invalid(conv)
    if conv.transposed and conv.defect == "empty_output" and "cropped" in what:
        return
    one_tap_dilation = conv.defect == "zero_dilation" and all(
        k == 1 for k, d in zip(conv.weight_shape[2:], conv.dilation) if d == 0)
    if conv.transposed and one_tap_dilation and what.startswith("torch returns"):
        return
    assert what.startswith("torch refuses"), (conv, what)


def test_an_accepted_input_is_written_up_as_a_refusal_failure(tmp_path, llvm, run_repro, monkeypatch):
    """With no known failure to explain them, the inputs TVM's TOPI path accepts are failures of
    kind refusal: one record each, a folder with a repro that reproduces, and the row fails."""
    import conformance.refusals
    from model.failure import REFUSAL
    from markupsafe import escape  # as the report's jinja2 escapes

    from reports.failures import FailureWriter
    from reports.html import write_html_report
    from reports.results import RunResults
    from runner.isolation import InProcessRunner

    monkeypatch.setattr(conformance.refusals, "known_failure", lambda *args: None)
    results = RunResults()
    path = dataclasses.replace(REFUSAL_PATHS["topi_nchw"], defects=("negative_stride",))
    with pytest.raises(AssertionError, match="invalid inputs not refused"):
        conformance.refusals.run_refusal_row(path, llvm, results, FailureWriter(tmp_path, results), InProcessRunner())
    [failure] = results.failures
    assert failure.kind == REFUSAL and failure.kernel == "refuse:topi_nchw" and failure.defect == "negative_stride"
    assert failure.message.startswith("accepted") and results.refusal_failures == [failure]
    assert (tmp_path / failure.directory / "bug_report.md").read_text().startswith("# refuse:topi_nchw on llvm")
    run = run_repro(tmp_path / failure.directory / "repro.py")
    assert run.returncode == 1 and "accepted" in run.stdout, run.stdout + run.stderr
    html = write_html_report(results, tmp_path).read_text()
    assert "refuse:topi_nchw on llvm: negative_stride" in html and escape(failure.case_summary) in html

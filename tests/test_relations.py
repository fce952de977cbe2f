"""The metamorphic relations and differentials (reference/relations.py, conformance/self_checks.py):
each holds for the float64 oracle used as a kernel (so their index maps and bounds are right),
each applies or says why not, and a kernel that breaks one is caught."""
import dataclasses

import pytest
from hypothesis import given

from conformance.checks import ExampleContext, column_verdicts
from conformance.checks import select_checks
from conformance.self_checks import SELF_CHECKS
from kernels.registry import KERNELS
from model.axis import ALL_LAYOUTS, RANKS
from model.case import DTYPES, DepthwiseCase
from model.example import seeded_example
from model.space import CaseSpace
from reference.comparison import PASS, SKIP
from reference.numpy_oracle import numpy_reference
from reference.relations import RELATIONS
from runner.isolation import Outcome
from strategies.inputs import conv_examples


def verdicts_of(kernel, target, ex, actual, checks, run):
    """The self-check columns' verdicts on one example, as check_example gives them."""
    return column_verdicts(checks, ExampleContext(kernel, target, ex, actual, run))


BOTH_LAYOUTS = KERNELS["relax_conv2d"]  # takes every case the relations derive, in both layouts
FAMILY = CaseSpace(ranks=RANKS, directions=(False, True), layouts=ALL_LAYOUTS, dtypes=DTYPES)
# Stands for a kernel that takes every member of the family (the oracle runs in its place).
EVERY_MEMBER = dataclasses.replace(BOTH_LAYOUTS, name="every_member", space=FAMILY)


def oracle_run(kernel, target, ex):
    return Outcome(actual=numpy_reference(ex.case, ex.data, ex.weight).astype(ex.case.dtype))


def relation_checks():
    return [SELF_CHECKS[name] for name in RELATIONS]


@given(ex=conv_examples(CaseSpace(dtypes=("float64", "float32"), max_work=20_000)))
def test_every_relation_holds_for_the_oracle(ex, llvm):
    actual = oracle_run(None, None, ex).actual
    for verdict in verdicts_of(BOTH_LAYOUTS, llvm, ex, actual, relation_checks(), oracle_run):
        assert verdict.status in (PASS, SKIP), (verdict.reference, verdict.message)


@given(ex=conv_examples(CaseSpace(ranks=RANKS, directions=(False, True), layouts=ALL_LAYOUTS,
                                  dtypes=("float64", "float32"), max_work=20_000, max_kernel=4, max_extent=8)))
def test_every_relation_holds_for_the_oracle_on_the_family(ex, llvm):
    actual = oracle_run(None, None, ex).actual
    for verdict in verdicts_of(EVERY_MEMBER, llvm, ex, actual, relation_checks(), oracle_run):
        assert verdict.status in (PASS, SKIP), (verdict.reference, verdict.message)


@pytest.mark.parametrize("case, not_for_it", [
    (DepthwiseCase(batch=2, channels=3, multiplier=2, height=7, width=9, kernel_h=3, kernel_w=2, stride_h=2,
                   stride_w=2, pad_top=1, pad_bottom=2, pad_left=1, dilation_h=2, dtype="float64"),
     {"transposed_as_forward"}),
    (DepthwiseCase(batch=2, channels=3, multiplier=2, rank=1, transposed=True, width=5, kernel_w=3, pad_left=1,
                   dilation_w=2, dtype="float64"), {"stride"}),
    (DepthwiseCase(batch=2, channels=2, rank=3, transposed=True, depth=3, height=2, width=3, kernel_d=2, kernel_w=2,
                   stride_d=2, pad_front=1, pad_right=1, dilation_w=2, output_padding_d=1, dtype="float64"),
     {"stride", "transposed_as_forward", "rank_lifting"}),
], ids=["conv2d", "conv1d_transpose", "conv3d_transpose"])
def test_each_relation_applies_to_a_case_made_for_it(llvm, case, not_for_it):
    ex = seeded_example(case, 3)
    actual = oracle_run(None, None, ex).actual
    verdicts = verdicts_of(EVERY_MEMBER, llvm, ex, actual, relation_checks(), oracle_run)
    assert {v.reference: v.status for v in verdicts} == {name: SKIP if name in not_for_it else PASS
                                                         for name in RELATIONS}, [v.message for v in verdicts]


def test_a_relation_that_does_not_apply_says_why(llvm):
    ex = seeded_example(DepthwiseCase(), 0)
    verdicts = {v.reference: v for v in verdicts_of(BOTH_LAYOUTS, llvm, ex, oracle_run(None, None, ex).actual,
                                                            relation_checks(), oracle_run)}
    assert verdicts["channel_permutation"].status == SKIP and "one channel" in verdicts["channel_permutation"].message
    assert verdicts["stride"].status == SKIP and "stride 1" in verdicts["stride"].message


def test_a_picked_example_gets_one_applicable_check(llvm):
    ex = dataclasses.replace(seeded_example(DepthwiseCase(channels=2, stride_w=2, width=3), 0), pick=1)
    verdicts = verdicts_of(BOTH_LAYOUTS, llvm, ex, oracle_run(None, None, ex).actual, relation_checks(),
                                   oracle_run)
    assert len(verdicts) == 1 and verdicts[0].status == PASS


def test_a_kernel_that_ignores_the_top_padding_breaks_explicit_padding(llvm):
    def shifted(kernel, target, ex):
        case = dataclasses.replace(ex.case, pad_bottom=ex.case.pad_bottom + ex.case.pad_top, pad_top=0)
        return Outcome(actual=numpy_reference(case, ex.data, ex.weight))

    ex = seeded_example(DepthwiseCase(height=3, kernel_h=2, pad_top=1, dtype="float64"), 1)
    [verdict] = verdicts_of(BOTH_LAYOUTS, llvm, ex, shifted(None, None, ex).actual,
                                    [SELF_CHECKS["explicit_padding"]], shifted)
    assert verdict.failed and "Violated" in verdict.message


def test_check_columns_select_by_group():
    assert [c.name for c in select_checks("relations")] == list(RELATIONS)
    assert {c.name for c in select_checks("frameworks")} == {"numpy", "torch", "mxnet", "onnxruntime"}
    with pytest.raises(ValueError, match="known checks: .*relations"):
        select_checks("nonesuch")


@pytest.mark.parametrize("vectorize", [True, False])
def test_differentials_agree_for_the_tiled_kernel(llvm, vectorize):
    from runner.isolation import InProcessRunner
    from targets.discovery import select_targets

    kernel = KERNELS["seed_te_cpu_tiled"]
    case = DepthwiseCase(channels=2, height=5, width=9, kernel_h=3, kernel_w=3, pad_top=1, pad_left=1)
    ex = dataclasses.replace(seeded_example(case, 0), options=tuple(sorted(dict(
        tile_h=2, tile_w=4, vectorize=vectorize, parallel=True, inline_padding=True).items())))
    run = InProcessRunner().run
    actual = run(kernel, llvm, ex).actual
    checks = [SELF_CHECKS[n] for n in ("opt_level_0", "unscheduled", "c_vs_llvm")]
    verdicts = {v.reference: v for v in verdicts_of(kernel, llvm, ex, actual, checks, run)}
    assert verdicts["opt_level_0"].status == PASS, verdicts["opt_level_0"].message
    assert verdicts["unscheduled"].status == PASS, verdicts["unscheduled"].message
    c = select_targets("c")[0]
    if not c.runnable:
        assert verdicts["c_vs_llvm"].status == SKIP and "c target" in verdicts["c_vs_llvm"].message
    elif vectorize:  # the c target's vectorized loops are findings/c-target-codegen.md: a skip naming it
        assert verdicts["c_vs_llvm"].status == SKIP and "c-target-codegen" in verdicts["c_vs_llvm"].message
    else:
        assert verdicts["c_vs_llvm"].status == PASS, verdicts["c_vs_llvm"].message

"""Drawn examples: a case with its input arrays (from a drawn seed) and schedule options."""
from __future__ import annotations

import dataclasses

from hypothesis import strategies as st

from model.example import ConvExample, seeded_example
from model.space import CaseSpace
from strategies.cases import depthwise_cases

# The input arrays are drawn as a seed and a precision, not element by element: the choice
# sequence then has the same shape whatever the case's size, so Hypothesis can shrink the
# case and keep the data failing (element-wise arrays stall the shrinker as soon as a smaller
# case re-reads the old choices as new elements). Full precision comes first (the simplest):
# rounded, integer-like data give many zeros and exact sums, which hide bugs in small cases
# and would stop the case from shrinking.
SEEDS = st.integers(0, 2**32 - 1)
PICKS = st.integers(0, 2**8 - 1)  # reduced modulo the self-checks that apply to the case
FRACTION_BITS = st.one_of(st.none(), st.integers(0, 8))  # None: full precision


@st.composite
def conv_examples(draw, space: CaseSpace = CaseSpace(), options=None, gradients: bool = False,
                  pick: bool = False) -> ConvExample:
    """A valid case inside `space` with its input arrays (and, with `gradients`, an output
    gradient) and, where a kernel has schedule knobs, `options(case)`'s draw of them; with
    `pick`, which one self-check it gets (drawn last, so it shrinks towards the first)."""
    case = draw(depthwise_cases(space))
    seed, fraction_bits = draw(SEEDS), draw(FRACTION_BITS)
    chosen = draw(options(case)) if options is not None else {}
    ex = seeded_example(case, seed, fraction_bits, tuple(sorted(chosen.items())), gradients)
    return dataclasses.replace(ex, pick=draw(PICKS)) if pick else ex


@st.composite
def batches(draw, examples: st.SearchStrategy, most: int) -> list:
    """1..`most` draws of `examples`, the count drawn first. Not `st.lists`: its average size
    is about 6 whatever `most`, and a fixed-size list cannot lose members, so each shrink step
    re-checks every passing one (measured on a toy: 4,345 calls to shrink a fixed list of 16
    against 204 for this). Lowering the count and deleting a member's choices shrink a failing
    batch to its one failing member."""
    return [draw(examples) for _ in range(draw(st.integers(1, most)))]

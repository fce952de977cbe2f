"""The examples budget: the Hypothesis profiles, and how many examples each row draws of them.

One policy, here. A profile gives the count (`PROFILES`: ci draws 60). Outside the nightly
profile a conformance row draws that count times its kernel's share (`Kernel.example_share`,
for slow-to-build kernels; a family member's row `MEMBER_SHARE` of its kernel's) times its
target's share (`TargetSpec.example_share`; a GPU target with no device `COMPILE_ONLY_SHARE` of
it), at least `MIN_ROW_EXAMPLES` (`MIN_COMPILE_ONLY_EXAMPLES` where it only compiles); the target's share applies to its pinned examples and a
shape-generic kernel's dtypes too (`share_of`, spread evenly); the real models' layers are pinned
on `REAL_LAYER_TARGETS`; family members run on the other llvm mcpus (`MEMBER_NIGHTLY_TARGETS`)
in nightly only; a refusal row splits the count among its defects, at least
`MIN_EXAMPLES_PER_DEFECT` each. The nightly profile draws every example everywhere.
"""
from __future__ import annotations

import math

from hypothesis import settings

NIGHTLY = "nightly"
PROFILES = {
    "dev": dict(max_examples=10),
    # ci: the same examples on every run (derandomize), so CI's outcome does not flicker.
    "ci": dict(max_examples=60, derandomize=True),
    # nightly: searches (new examples every run) and keeps what it finds in a persistent example
    # database, replayed first on the next run (conftest.py gives it the database).
    NIGHTLY: dict(max_examples=1000),
}

# Few enough examples that a slow row stays cheap, enough that its drawn dimensions each vary.
MIN_ROW_EXAMPLES = 5
# A row that only compiles (a GPU target with no device) checks that each drawn build succeeds:
# fewer builds suffice, and each costs ~1 s (nvcc's included). 5 put a cold `tox -e conformance`
# at 588-669 s with the family's rows on cuda, metal and opencl (measured 2026-12-08).
MIN_COMPILE_ONLY_EXAMPLES = 3
# A family member's row (kernels/family_kernels.members), of its kernel's share: ci 60 -> 9. 0.2
# put a cold `tox -e conformance` at 606 s with the family's channels-last, gradient and refusal
# rows (measured 2026-12-08; the limit is 600).
MEMBER_SHARE = 0.15
# The other llvm mcpus repeat llvm's compute with another instruction set: the family's rows run
# there in nightly (ci covers every member on llvm, c and the compile-only GPU targets).
MEMBER_NIGHTLY_TARGETS = ("llvm-native", "llvm-x86-64")
# A GPU target with no device only compiles: every example is a build (~1 s, nvcc's included)
# whose output is never checked, so outside the nightly profile such a row gets this share.
COMPILE_ONLY_SHARE = 0.15
# The targets whose rows check the real layers outside nightly (and a GPU with a device): a
# layer is one more build per row, and the other llvm mcpus (llvm-native, llvm-x86-64) repeat
# llvm's compute with another instruction set: theirs come in nightly.
REAL_LAYER_TARGETS = ("llvm", "c")
# Each defect of a refusal row gets the profile's count over the row's defects, at least this.
MIN_EXAMPLES_PER_DEFECT = 3


def nightly() -> bool:
    """Whether the nightly profile is loaded (every example, every target)."""
    return settings.get_current_profile_name() == NIGHTLY


def row_examples(kernel_share: float, target_share: float, compile_only: bool = False) -> int | None:
    """How many examples a row draws, or None for the profile's own count."""
    share = kernel_share * target_share
    if share >= 1 or nightly():
        return None
    return max(MIN_COMPILE_ONLY_EXAMPLES if compile_only else MIN_ROW_EXAMPLES,
               int(settings.default.max_examples * share))


def defect_examples(defects: int) -> int:
    """How many examples each defect of a refusal row with `defects` defects draws."""
    return max(MIN_EXAMPLES_PER_DEFECT, settings.default.max_examples // defects)


def share_of(items: list, share: float) -> list:
    """What a target with `share` of the examples takes of `items` (pinned examples, a shape-generic
    kernel's dtypes): all of them in nightly or at a full share, else `spread`."""
    return list(items) if share >= 1 or nightly() else spread(items, share)


def spread(items: list, share: float) -> list:
    """`share` of `items` (at least one), evenly spaced from the first."""
    keep = min(len(items), max(1, math.ceil(len(items) * share)))
    return [items[i] for i in sorted({round(j * len(items) / keep) for j in range(keep)})]

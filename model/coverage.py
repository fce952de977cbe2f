"""Coverage of what was drawn: each case falls into one class per field, so a report can say
how often a row checked stride 2, asymmetric padding or a row just past a SIMD lane count, and
which classes it never exercised.
"""
from __future__ import annotations

import functools

# Lane counts of the vector units kernels are vectorized for (SSE/NEON 4 x float32, AVX 8,
# AVX-512 16): sizes just below, at and above them are where tail loops go wrong.
LANES = (4, 8, 16)
PAIRS = (("stride", "dilation"), ("padding", "layout"), ("dtype", "layout"))


def padding_class(case) -> str:
    """none / symmetric / asymmetric / larger than the kernel (on some side)."""
    if not any(case.padding):
        return "none"
    if any(max(axis.pad_before, axis.pad_after) >= axis.kernel for axis in case.axes):
        return "larger than kernel"
    return "symmetric" if case.is_symmetric else "asymmetric"


def lane_class(extent: int) -> str:
    """Where a vectorized extent lies against the lane counts: '<4', '=4', '4..8', '=8', ... '>16'."""
    if extent < LANES[0]:
        return f"<{LANES[0]}"
    for low, high in zip(LANES, LANES[1:]):
        if extent == low:
            return f"={low}"
        if extent < high:
            return f"{low}..{high}"
    return f"={LANES[-1]}" if extent == LANES[-1] else f">{LANES[-1]}"


def capped(value: int, cap: int) -> str:
    return str(value) if value < cap else f"{cap}+"


@functools.lru_cache(maxsize=1024)  # asked twice an example (Hypothesis events, the row's counts)
def case_classes(case) -> dict[str, str]:
    """field -> the class this case falls into (do not modify the dict: it is cached)."""
    vectorized = case.out_channels if case.channels_last else case.out_sizes[-1]  # the innermost output axis
    return {
        "member": case.op_name,
        "stride": capped(max(case.stride), 4),
        "dilation": capped(max(case.dilation), 3),
        "padding": padding_class(case),
        "multiplier": capped(case.multiplier, 4),
        "layout": case.layout,
        "dtype": case.dtype,
        "kernel size": capped(max(case.kernel), 5),
        "innermost extent": lane_class(vectorized),
        "batch": "1" if case.batch == 1 else "2+",
        "epilogue": case.epilogue or "none",
        "padding mode": case.padding_mode,
    }


def option_classes(kernel, options: tuple) -> dict[str, str]:
    """option -> its value, for the options a kernel declares classes for (Kernel.option_classes)."""
    declared = kernel.option_classes or {}
    return {name: str(value) for name, value in options if name in declared}


def possible_classes(space) -> dict[str, tuple]:
    """field -> every class a case inside `space` (model.space.CaseSpace) can fall into."""
    extents = (f"<{LANES[0]}", *(c for low, high in zip(LANES, LANES[1:]) for c in (f"={low}", f"{low}..{high}")),
               f"={LANES[-1]}", f">{LANES[-1]}")
    paddings = ("none", "symmetric", "larger than kernel") + (("asymmetric",) if space.asymmetric_padding else ())
    return {
        "member": tuple(f"conv{rank}d" + ("_transpose" if transposed else "")
                        for rank in space.ranks for transposed in space.directions),
        "stride": tuple(capped(s, 4) for s in range(1, 5)),
        "dilation": tuple(dict.fromkeys(capped(d, 3) for d in range(1, space.max_dilation + 1))),
        "padding": paddings,
        "multiplier": tuple(dict.fromkeys(capped(m, 4) for m in range(1, space.max_multiplier + 1))),
        "layout": tuple(space.layouts),
        "dtype": tuple(space.dtypes),
        "kernel size": tuple(dict.fromkeys(capped(k, 5) for k in range(1, space.max_kernel + 1))),
        "innermost extent": extents,
        "batch": ("1", "2+") if space.max_batch > 1 else ("1",),
        "epilogue": tuple(e or "none" for e in space.epilogues),
        "padding mode": tuple(space.padding_modes),
    }

"""A failure as markdown, ready to paste into an upstream issue."""
from __future__ import annotations

import numpy as np


def bug_report_markdown(kernel, target, ex, verdicts, actual, expected, repro: str, environment: dict,
                        error: str | None = None, nondeterministic: bool = False) -> str:
    """Title, environment, minimal case, expected vs actual, statistics, and the repro inline."""
    case = ex.case
    failing = [v for v in verdicts if v.status in ("fail", "error")]
    against = ", ".join(v.reference for v in failing) or "the references"
    title = f"[{target.name}] {kernel.description or kernel.name}: wrong result for {case.summary()}"
    lines = [
        f"# {title}", "",
        f"The depthwise convolution `{kernel.name}` ({kernel.description}) compiled by TVM for target "
        f"`{target.spec}` disagrees with {against} on the minimal case below, found and shrunk by dwconf.", "",
        "## Environment", "",
        *[f"- {key}: {value}" for key, value in environment.items()], "",
        "## Minimal case", "", "```python", case.summary(), "```", "",
        *([f"Schedule options: `{dict(ex.options)}`.", ""] if ex.options else []),
        f"Input shape {case.input_shape} ({case.layout}), weight shape {case.weight_shape}, "
        f"output shape {case.output_shape}, dtype {case.dtype}.", "",
    ]
    if nondeterministic:
        lines += ["## Nondeterministic", "",
                  "This example failed once and passed when dwconf ran it again with the same inputs: the "
                  "output depends on more than the inputs (memory the kernel does not own, a race between "
                  "threads). The case is the last one that failed while Hypothesis shrank; the repro may need "
                  "several runs.", ""]
    if error:
        lines += ["## Error", "", "```", error, "```", ""]
    if actual is not None and expected is not None and np.shape(actual) == np.shape(expected):
        diff = np.abs(np.asarray(actual, np.float64) - np.asarray(expected, np.float64))
        worst = np.unravel_index(np.argsort(diff, axis=None)[::-1][:5], diff.shape)
        lines += ["## Expected vs actual (largest differences, float64 oracle)", "",
                  "| position | TVM | float64 oracle |", "|---|---|---|"]
        for position in zip(*worst):
            p = tuple(int(i) for i in position)
            lines.append(f"| {p} | {actual[p]!r} | {expected[p]!r} |")
        lines.append("")
    elif actual is not None and expected is not None:
        lines += [f"Output shape {np.shape(actual)}, expected {np.shape(expected)}.", ""]
    lines += ["## Verdicts", "", "| reference | verdict | max abs | max rel | error/bound | detail |",
              "|---|---|---|---|---|---|"]
    for v in verdicts:
        lines.append(f"| {v.reference} | {v.status} | {v.max_abs_error:.3g} | {v.max_rel_error:.3g} | "
                     f"{v.normalized_error:.3g} | {v.message} |")
    lines += ["", "The error bound is gamma_L(dtype) * sum|x||w| per element (Higham), L = KH*KW; "
              "see dwconf's reference/tolerance.py.", "",
              "## Repro (numpy + tvm only; exit status 1 when reproduced)", "", "```python", repro.rstrip(),
              "```", ""]
    return "\n".join(lines)

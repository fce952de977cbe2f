"""A failure as markdown, ready to paste into an upstream issue."""
from __future__ import annotations

import numpy as np

from model.epilogue import block_output_shape


def one_line(text: str, width: int) -> str:
    """The first line of `text`, at most `width` characters, safe inside a markdown table cell."""
    first = (text or "").strip().split("\n", 1)[0]
    if len(first) > width:
        first = first[:width - 3] + "..."
    return first.replace("|", "\\|")


def bug_report_markdown(failure, repro: str, environment: dict, picture: bool = False, replay: str = "",
                        regression_test: bool = False) -> str:
    """A failing example (model.failure.Failure, with its evidence) as markdown: title,
    environment, minimal case, expected vs actual, statistics, and the repro inline."""
    evidence = failure.evidence
    kernel, target, ex, verdicts = evidence.kernel, evidence.target, evidence.example, evidence.verdicts
    actual, expected, error = evidence.actual, evidence.oracle, evidence.error
    pinned, also_fails_on = failure.pinned, failure.also_fails_on
    case = ex.case
    failing = [v for v in verdicts if v.failed]
    against = ", ".join(v.reference for v in failing) or "the references"
    what = one_line(error, 120) if error else "wrong result"
    title = f"[{target.name}] {kernel.description or kernel.name}: {what} for {case.summary()}"
    outcome = "fails (see Error)" if error else f"disagrees with {against}"
    found = (f"dwconf's pinned example `{pinned}` below (checked on every run; no generated example failed, "
             "so this case is not shrunk)" if pinned else "the minimal case below, found and shrunk by dwconf")
    also = (f"It also fails on dwconf's pinned example(s) {', '.join(f'`{n}`' for n in also_fails_on)}."
            if also_fails_on else "")
    lines = [
        f"# {title}", "",
        f"The depthwise convolution `{kernel.name}` ({kernel.description}) compiled by TVM for target "
        f"`{target.spec}` {outcome} on {found}. {also}".rstrip(), "",
        "## Environment", "",
        *[f"- {key}: {value}" for key, value in environment.items()], "",
        "## Pinned case" if pinned else "## Minimal case", "", "```python", case.summary(), "```", "",
        *([f"Options (schedule knobs, layouts, pipeline): `{dict(ex.options)}`.", ""] if ex.options else []),
        f"Input shape {case.input_shape} ({case.layout}), weight shape {case.weight_shape}, "
        f"output shape {block_output_shape(case)}, dtype {case.dtype}"
        f"{f' (output {case.out_dtype})' if case.out_dtype != case.dtype else ''}"
        f"{f', epilogue {case.epilogue}' if case.epilogue else ''}.", "",
    ]
    if failure.nondeterministic:
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
        if picture:
            lines += ["Where the error lies (|actual - expected| / bound over the worst output plane; outlined: "
                      "beyond the bound):", "", "![error heatmap](error_heatmap.png)", ""]
    elif actual is not None and expected is not None:
        lines += [f"Output shape {np.shape(actual)}, expected {np.shape(expected)}.", ""]
    lines += ["## Verdicts", "", "| reference | verdict | max abs | max rel | error/bound | detail |",
              "|---|---|---|---|---|---|"]
    for v in verdicts:
        lines.append(f"| {v.reference} | {v.status} | {v.max_abs_error:.3g} | {v.max_rel_error:.3g} | "
                     f"{v.normalized_error:.3g} | {one_line(v.message, 100)} |")
    # Messages that do not fit a table cell (TVM's are many lines) follow in full, each once.
    long_messages = dict.fromkeys(v.message for v in verdicts if v.message != one_line(v.message, 100)
                                  and v.message.strip() != (error or "").strip())
    for message in long_messages:
        names = ", ".join(v.reference for v in verdicts if v.message == message)
        lines += ["", f"Detail ({names}):", "", "```", message.rstrip(), "```"]
    lines += ["", "The error bound is gamma_L(dtype) * sum|x||w| per element (Higham), L = KH*KW; "
              "see dwconf's reference/tolerance.py.", ""]
    if regression_test:
        lines += ["## Regression test", "",
                  "`test_regression.py` beside this report is a pytest file in TVM's test idiom (parametrized "
                  "over the target, skipped through `tvm.testing.env`, reference and bound inline): it fails "
                  "while the bug is there and passes once it is fixed.", ""]
    if replay:
        lines += ["Replay it through dwconf:", "", "```", replay, "```", ""]
    lines += ["## Repro (numpy + tvm only; exit status 1 when reproduced)", "", "```python", repro.rstrip(),
              "```", ""]
    return "\n".join(lines)

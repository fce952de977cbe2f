"""The self-contained HTML report: a legend, the kernel x target grid at a glance, the
references per row, what each row covered, then each failure with its picture."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from reference.comparison import COMPILED, ERROR, FAIL, KNOWN, PASS, SKIP
from reports.diff import regressed, run_diff
from reports.results import RunResults

TEMPLATES = Path(__file__).parent / "templates"
# What a grid cell shows for each status (the legend says the same).
MARKS = {PASS: "pass", FAIL: "FAIL", ERROR: "ERROR", KNOWN: "known", COMPILED: "compiled", SKIP: "skip"}


@dataclass
class Footnotes:
    """Repeated notes (skip reasons, dtype gaps) folded into numbered footnotes."""

    texts: dict = field(default_factory=dict)  # text -> number

    def number(self, text: str) -> int:
        return self.texts.setdefault(text, len(self.texts) + 1)


def grid(results: RunResults, notes: Footnotes) -> dict:
    """kernels, targets and one cell per row that ran or was skipped: its worst status over
    every reference, the examples, a hover text and its footnotes."""
    rows = sorted(results.rows.values(), key=lambda r: (r.kernel, r.target))
    kernels = list(dict.fromkeys(r.kernel for r in rows))
    targets = sorted({r.target for r in rows}, key=lambda t: (t.startswith("rpc-"), t))
    cells = {}
    for row in rows:
        if row.skip_reason:
            status, examples, hover, marks = SKIP, 0, row.skip_reason, [notes.number(row.skip_reason)]
        else:
            status = results.cell_status(row.status_counts)
            examples = row.examples
            hover = "; ".join(f"{ref}: {', '.join(f'{n} {s}' for s, n in sorted(c.items()))}"
                              for ref, c in sorted(row.counts.items()))
            marks = []
        cells[(row.kernel, row.target)] = {"status": status, "mark": MARKS[status], "examples": examples,
                                           "hover": hover, "notes": marks, "id": row.id}
    return {"kernels": kernels, "targets": targets, "cells": cells}


def kernel_groups(results: RunResults) -> list[dict]:
    """Per kernel: the rows that ran (by target), those only compiled (a target with no device
    here: every cell the same) and those skipped, for the references tables."""
    rows = sorted(results.rows.values(), key=lambda r: (r.kernel, r.target))
    groups = {}
    for row in rows:
        group = groups.setdefault(row.kernel, {"kernel": row.kernel, "ran": [], "compiled": [], "skipped": []})
        compiled_only = set(row.status_counts) == {COMPILED}
        group["skipped" if row.skip_reason else "compiled" if compiled_only else "ran"].append(row)
    return list(groups.values())


def write_html_report(results: RunResults, report_dir: Path, title: str = "dwconf conformance report",
                      baseline: Path | None = None) -> Path:
    """Render `results` to report_dir/index.html and return its path; with `baseline` (an earlier
    run's results.json), a section of what changed since (reports/diff.py)."""
    diff = run_diff(RunResults.from_json(Path(baseline).read_text()), results) if baseline else None
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.globals["cell_status"] = RunResults.cell_status
    notes = Footnotes()
    matrix = grid(results, notes)  # first: the grid's notes get the first numbers
    rows = sorted(results.rows.values(), key=lambda r: (r.kernel, r.target))
    html = env.get_template("report.html.j2").render(
        title=title, grid=matrix, rows=rows, references=results.references, failures=results.check_failures,
        environment=results.environment, totals=results.totals(), notes=notes, marks=MARKS,
        refusal_rows=results.refusal_rows, refusal_failures=results.refusal_failures, groups=kernel_groups(results),
        diff=diff, diff_baseline=baseline, diff_regressed=diff is not None and regressed(diff),
    )
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    path = report_dir / "index.html"
    path.write_text(html)
    return path

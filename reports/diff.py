"""What changed between two runs (two results.json): a release gate.

    python -m reports.diff OLD/results.json NEW/results.json

prints new failures, findings whose strict xfail now passes (fixed upstream: remove the workaround),
rows that appeared or vanished, coverage classes lost or gained per row and each row's cases/s;
exit status 1 when NEW has a failure OLD did not have. The HTML report shows the same section when
the run is given `--diff-against OLD/results.json`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reference.comparison import ERROR, FAIL
from reports.results import RunResults


def failing_rows(results: RunResults) -> set:
    """Row ids whose examples failed or erred (known failures are not failures)."""
    bad = {key for key, row in results.rows.items() if row.status_counts.get(FAIL) or row.status_counts.get(ERROR)}
    bad |= {key for key, row in results.refusal_rows.items()
            if any(row["counts"].get(o) for o in ("accepted", "crash", "timeout"))}
    return bad


def classes(row) -> set:
    """'field: class' for every coverage class the row checked at least once."""
    return {f"{name}: {cls}" for name, counts in row.coverage.items() for cls, n in counts.items() if n}


def rate(row) -> float | None:
    return row.examples / row.seconds if row.seconds else None


def run_diff(old: RunResults, new: RunResults) -> dict:
    """The differences a release manager acts on (module docstring), as plain data."""
    shared = sorted(set(old.rows) & set(new.rows))
    old_failures = {(f.kernel, f.target, f.case_summary) for f in old.failures}
    return {
        "new_failing_rows": sorted(failing_rows(new) - failing_rows(old)),
        "new_failures": [f"{f.kernel}-{f.target}: {f.case_summary}" for f in new.failures
                         if (f.kernel, f.target, f.case_summary) not in old_failures],
        "no_longer_failing_rows": sorted((failing_rows(old) - failing_rows(new)) & (set(new.rows) | set(new.refusal_rows))),
        "fixed_findings": sorted(test for test, outcome in new.findings.items()
                                 if outcome == "fixed" and old.findings.get(test) != "fixed"),
        "findings_back": sorted(test for test, outcome in new.findings.items()
                                if outcome == "xfailed" and old.findings.get(test) == "fixed"),
        "rows_appeared": sorted(set(new.rows) - set(old.rows)),
        "rows_vanished": sorted(set(old.rows) - set(new.rows)),
        "coverage_lost": {key: sorted(classes(old.rows[key]) - classes(new.rows[key])) for key in shared
                          if classes(old.rows[key]) - classes(new.rows[key])},
        "coverage_gained": {key: sorted(classes(new.rows[key]) - classes(old.rows[key])) for key in shared
                            if classes(new.rows[key]) - classes(old.rows[key])},
        "rates": {key: (rate(old.rows[key]), rate(new.rows[key])) for key in shared
                  if not old.rows[key].skip_reason and not new.rows[key].skip_reason},
    }


def regressed(diff: dict) -> bool:
    """Whether NEW failed where OLD did not: the gate closes."""
    return bool(diff["new_failing_rows"] or diff["new_failures"])


def markdown(diff: dict) -> str:
    """The diff as text for a terminal or a CI log."""
    def listed(title, items):
        return [f"## {title} ({len(items)})", *(f"- {item}" for item in items), ""] if items else []

    lines = ["# dwconf: what changed", ""]
    lines += listed("new failing rows", diff["new_failing_rows"])
    lines += listed("new failures", diff["new_failures"])
    lines += listed("rows no longer failing", diff["no_longer_failing_rows"])
    lines += listed("findings fixed upstream (their strict xfail passed)", diff["fixed_findings"])
    lines += listed("findings back (fixed before, holding again)", diff["findings_back"])
    lines += listed("rows that appeared", diff["rows_appeared"])
    lines += listed("rows that vanished", diff["rows_vanished"])
    lines += listed("coverage lost", [f"{k}: {', '.join(v)}" for k, v in diff["coverage_lost"].items()])
    lines += listed("coverage gained", [f"{k}: {', '.join(v)}" for k, v in diff["coverage_gained"].items()])
    if diff["rates"]:
        lines += ["## cases/s per row (old -> new)", "| row | old | new |", "|---|---|---|"]
        lines += [f"| {key} | {_rate(a)} | {_rate(b)} |" for key, (a, b) in sorted(diff["rates"].items())]
        lines.append("")
    lines.append("verdict: NEW FAILURES" if regressed(diff) else "verdict: no new failure")
    return "\n".join(lines)


def _rate(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", help="the earlier run's results.json")
    parser.add_argument("new", help="the later run's results.json")
    args = parser.parse_args(argv)
    for path in (args.old, args.new):
        if not Path(path).is_file():
            parser.error(f"{path}: no such results.json")
    diff = run_diff(*(RunResults.from_json(Path(p).read_text()) for p in (args.old, args.new)))
    print(markdown(diff))
    return 1 if regressed(diff) else 0


if __name__ == "__main__":
    sys.exit(main())

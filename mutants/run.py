"""The mutation self-check: every mutant must be caught in the ci profile and shrunk to a case
no larger than its bug needs. Prints the kill rate, examples until caught, shrunk sizes.

    python -m mutants.run [--targets llvm] [--max-examples 60]

Exit status 0 only when every mutant is killed and shrunk small enough.
"""
from __future__ import annotations

import argparse
import sys
import tempfile

from hypothesis import settings

from conformance.checking import ConformanceFailure, property_test, run_row
from mutants.kernels import MUTANTS
from reference.registry import REFERENCES
from reports.results import RunResults
from model.case import DepthwiseCase
from model.row import row_id
from targets.discovery import select_targets


def hunt(mutant, target, max_examples: int, report_dir: str):
    """(caught, examples until the first failure, shrunk case or None)."""
    results = RunResults(references=["numpy"])
    test = property_test(mutant.kernel, target, (REFERENCES["numpy"],), results, report_dir)
    try:
        run_row(settings(max_examples=max_examples, database=None, derandomize=True, deadline=None)(test))
    except ConformanceFailure:
        row = results.rows[row_id(mutant.kernel.name, target.name)]
        return True, row.first_failure, DepthwiseCase(**results.failures[-1].case)
    return False, None, None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", default="llvm")
    parser.add_argument("--max-examples", type=int, default=60, help="the ci profile's count (default 60)")
    args = parser.parse_args(argv)
    try:
        target = select_targets(args.targets)[0]
    except ValueError as exc:
        parser.error(str(exc))
    killed, small, rows = 0, 0, []
    with tempfile.TemporaryDirectory() as report_dir:
        for m in MUTANTS:
            caught, until, shrunk = hunt(m, target, args.max_examples, report_dir)
            ok_size = caught and shrunk.work <= m.needs.work
            killed += caught
            small += ok_size
            rows.append(f"| {m.kernel.name} | {'killed' if caught else 'SURVIVED'} | {until or '-'} | "
                        f"{shrunk.summary() if shrunk else '-'} (work {shrunk.work if shrunk else '-'}) | "
                        f"{m.needs.work} | {'ok' if ok_size else 'TOO LARGE' if caught else '-'} |")
    print("| mutant | outcome | examples until caught | shrunk case | bug needs (work) | size |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nkill rate: {killed}/{len(MUTANTS)} ({100 * killed / len(MUTANTS):.0f} %); "
          f"shrunk small enough: {small}/{len(MUTANTS)}")
    return 0 if killed == small == len(MUTANTS) else 1


if __name__ == "__main__":
    sys.exit(main())

"""The mutation self-check: every mutant must be caught in the ci profile and shrunk to a case
no larger than its bug needs. Prints the kill rate, examples until caught, shrunk sizes.

    python -m mutants.run [--targets llvm] [--max-examples 60] [--references numpy]
    python -m mutants.run --references relations --every-check --kill-rate 0.8 --sizes-informational

Exit status 0 only when every mutant (or --kill-rate of them) is killed and each killed one is
shrunk small enough (unless --sizes-informational).
"""
from __future__ import annotations

import argparse
import sys
import tempfile

from hypothesis import settings

from conformance.checking import ConformanceFailure, property_test, run_row
from mutants.kernels import MUTANTS
from conformance.self_checks import select_checks
from reports.results import RunResults
from model.case import DepthwiseCase
from model.row import row_id
from targets.discovery import select_targets


def hunt(mutant, target, checks, max_examples: int, report_dir: str, every_check: bool = False):
    """(caught, examples until the first failure, shrunk case or None, the columns that failed)."""
    results = RunResults(references=[c.name for c in checks])
    test = property_test(mutant.kernel, target, checks, results, report_dir, every_self_check=every_check)
    try:
        run_row(settings(max_examples=max_examples, database=None, derandomize=True, deadline=None)(test))
    except ConformanceFailure:
        row = results.rows[row_id(mutant.kernel.name, target.name)]
        failure = results.failures[-1]
        failed = [v["reference"] for v in failure.verdicts if v["status"] in ("fail", "error")]
        return True, row.first_failure, DepthwiseCase(**failure.case), failed
    return False, None, None, []


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", default="llvm")
    parser.add_argument("--max-examples", type=int, default=60, help="the ci profile's count (default 60)")
    parser.add_argument("--references", default="numpy",
                        help="check columns, as in the suite's --references (default numpy); e.g. "
                             "'relations,differentials': the checks that need no framework")
    parser.add_argument("--every-check", action="store_true",
                        help="every selected self-check on every example (as the nightly profile), not one drawn")
    parser.add_argument("--kill-rate", type=float, default=1.0,
                        help="the share of mutants that must be killed (default 1.0: all)")
    parser.add_argument("--sizes-informational", action="store_true",
                        help="report the shrunk sizes without failing on them (a relation may need a larger "
                             "case than the float64 oracle to see a bug: mirroring needs two output columns)")
    args = parser.parse_args(argv)
    try:
        target = select_targets(args.targets)[0]
        checks = select_checks(args.references)
    except ValueError as exc:
        parser.error(str(exc))
    killed, small, rows = 0, 0, []
    with tempfile.TemporaryDirectory() as report_dir:
        for m in MUTANTS:
            caught, until, shrunk, failed = hunt(m, target, checks, args.max_examples, report_dir, args.every_check)
            ok_size = caught and shrunk.work <= m.needs.work
            killed += caught
            small += ok_size
            rows.append(f"| {m.kernel.name} | {'killed' if caught else 'SURVIVED'} | {until or '-'} | "
                        f"{shrunk.summary() if shrunk else '-'} (work {shrunk.work if shrunk else '-'}) | "
                        f"{m.needs.work} | {'ok' if ok_size else 'TOO LARGE' if caught else '-'} | "
                        f"{', '.join(failed) or '-'} |")
    print(f"checks: {', '.join(c.name for c in checks)}\n")
    print("| mutant | outcome | examples until caught | shrunk case | bug needs (work) | size | failed checks |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nkill rate: {killed}/{len(MUTANTS)} ({100 * killed / len(MUTANTS):.0f} %); "
          f"shrunk small enough: {small}/{len(MUTANTS)}")
    enough = killed >= args.kill_rate * len(MUTANTS)
    return 0 if enough and (args.sizes_informational or small == killed) else 1


if __name__ == "__main__":
    sys.exit(main())

"""The mutation self-check: every mutant must be caught in the ci profile and shrunk to a case
no larger than its bug needs. Prints the kill rate, examples until caught, shrunk sizes.

    python -m mutants.run [--targets llvm] [--max-examples 60] [--references numpy]
    python -m mutants.run --references relations --every-check --kill-rate 0.8 --no-shrink
    python -m mutants.run --seeds 20      # kill probability: the share of 20 seeds that kill each mutant
    python -m mutants.run --seeds 20 --kernel-module my_buggy_kernel.py   # ... of bugs planted in your kernels

A --kernel-module file is loaded as for the suite (README, 'Bring your own kernel'); its kernels
are hunted instead of dwconf's own mutants (add --mutants to hunt both). It may set NEEDS, the
smallest DepthwiseCase its bug shows on (or a dict kernel name -> case), for the size check.

Exit status 0 only when every mutant (or --kill-rate of them) is killed and each killed one is
shrunk small enough (unless --sizes-informational).
"""
from __future__ import annotations

import argparse
import sys
import tempfile

import statistics
from pathlib import Path

from hypothesis import Phase, seed, settings

from conformance.checking import ConformanceFailure, property_test, run_row
from mutants.kernels import MUTANTS, Mutant
from conformance.checks import select_checks
from reports.failures import FailureWriter
from reports.results import RunResults
from model.case import DepthwiseCase
from model.row import row_id
from strategies.budget import PROFILES
from targets.discovery import select_targets


def hunt(mutant, target, checks, max_examples: int, report_dir: str, every_check: bool = False,
         random_seed: int | None = None, shrink: bool = True):
    """(caught, examples until the first failure, the shrunk (or with `shrink` False, the first
    failing) case or None, the columns that failed). Derandomized as in the ci profile, or with
    `random_seed` Hypothesis' seed (and no shrinking)."""
    results = RunResults(references=[c.name for c in checks])
    test = property_test(mutant.kernel, target, checks, results, FailureWriter(report_dir, results),
                         every_self_check=every_check)
    how = dict(max_examples=max_examples, database=None, derandomize=True, deadline=None)
    if not shrink or random_seed is not None:
        how.update(phases=(Phase.generate,))
    if random_seed is not None:
        test = seed(random_seed)(test)
        how.update(derandomize=False)
    try:
        run_row(settings(**how)(test))
    except ConformanceFailure:
        row = results.rows[row_id(mutant.kernel.name, target.name)]
        failure = results.failures[-1]
        failed = [v["reference"] for v in failure.verdicts if v["status"] in ("fail", "error")]
        return True, row.first_failure, DepthwiseCase(**failure.case), failed
    return False, None, None, []


def kill_table(mutants, target, checks, seeds: int, budgets: tuple, every_check: bool,
               report_dir: str) -> tuple[str, bool]:
    """Every mutant under `seeds` Hypothesis seeds, each run for max(budgets) examples: per budget,
    the share of seeds that kill it within that many examples (a run's examples do not depend
    on its length), and the median examples until caught; and whether every mutant meets BAR."""
    lines = ["| mutant | " + " | ".join(f"killed within {b}" for b in budgets) + " | median examples to kill |",
             "|---|" + "---|" * (len(budgets) + 1)]
    meets = True
    for m in mutants:
        untils = []
        for s in range(seeds):
            caught, until, _, _ = hunt(m, target, checks, max(budgets), report_dir, every_check, random_seed=s)
            if caught:
                untils.append(until)
        shares = [sum(u <= b for u in untils) / seeds for b in budgets]
        meets &= all(share >= BAR.get(b, 0) for b, share in zip(budgets, shares))
        lines.append(f"| {m.kernel.name} | " + " | ".join(f"{100 * x:.0f} %" for x in shares)
                     + f" | {statistics.median(untils) if untils else '-'} |")
    return "\n".join(lines), meets


def size_note(caught: bool, small_enough: bool, no_shrink: bool, stated: bool = True) -> str:
    if not caught:
        return "-"
    if no_shrink:
        return "not shrunk"
    if not stated:
        return "no NEEDS stated"
    return "ok" if small_enough else "TOO LARGE"


def user_mutants(paths) -> tuple:
    """The kernels of `--kernel-module` files as mutants, each with the case its module's NEEDS
    states (None: not stated); ValueError (KernelModuleError) when a file is not a kernel module."""
    from kernels.user_module import import_file, load_kernel_module

    found = []
    for path in paths:
        kernels = load_kernel_module(path)
        needs = getattr(import_file(Path(path).resolve()), "NEEDS", None)
        for kernel in kernels:
            stated = needs.get(kernel.name) if isinstance(needs, dict) else needs
            if stated is not None and not isinstance(stated, DepthwiseCase):
                raise ValueError(f"--kernel-module {path}: NEEDS must be a DepthwiseCase or a dict of them, "
                                 f"got {stated!r}")
            found.append(Mutant(kernel, stated))
    return tuple(found)


def select_mutants(names: str | None) -> tuple:
    """The mutants named (all when None): 'seed', 'graph', 'frontend', 'family' or comma-separated
    names; ValueError on unknown ones."""
    from model.selection import select_named
    from mutants.family_kernels import FAMILY_MUTANTS
    from mutants.frontend_kernels import FRONTEND_MUTANTS
    from mutants.graph_kernels import GRAPH_MUTANTS

    graph = tuple(kernel.name for kernel, _ in GRAPH_MUTANTS)
    frontend = tuple(kernel.name for kernel, _ in FRONTEND_MUTANTS)
    family = tuple(kernel.name for kernel, _ in FAMILY_MUTANTS)
    groups = {"graph": graph, "frontend": frontend, "family": family,
              "seed": tuple(m.kernel.name for m in MUTANTS if m.kernel.name not in graph + frontend + family)}
    return select_named({m.kernel.name: m for m in MUTANTS}, names, "mutant", groups)


# examples -> the share of seeds that must kill every mutant within that many examples
BAR = {60: 0.95, 10: 0.80}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", default="llvm")
    ci = PROFILES["ci"]["max_examples"]
    parser.add_argument("--max-examples", type=int, default=ci, help=f"the ci profile's count (default {ci})")
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
    parser.add_argument("--no-shrink", action="store_true",
                        help="report the first failing case, unshrunk (the kill count alone; much faster "
                             "where each example runs many follow-up builds)")
    parser.add_argument("--mutants", default=None,
                        help="which mutants: 'seed' (the TE compute's), 'graph' (the deployed block's), 'family' (1-D, 3-D, transposed) or "
                             "comma-separated names (default: all)")
    parser.add_argument("--kernel-module", action="append", default=[],
                        help="a Python file with your own (deliberately wrong) kernel(s): hunt them instead of "
                             "dwconf's mutants (repeatable; with --mutants, both)")
    parser.add_argument("--seeds", type=int, default=0,
                        help="kill probability instead: every mutant under this many Hypothesis seeds (not "
                             "derandomized, no shrinking), killed within 10 and --max-examples examples")
    args = parser.parse_args(argv)
    try:
        target = select_targets(args.targets)[0]
        checks = select_checks(args.references)
        own = user_mutants(args.kernel_module)
        mutants = own if own and args.mutants is None else select_mutants(args.mutants) + own
    except ValueError as exc:
        parser.error(str(exc))
    if args.seeds < 0 or args.max_examples < 1 or not 0 <= args.kill_rate <= 1:
        parser.error("--seeds takes a count >= 0, --max-examples >= 1 and --kill-rate a share in [0, 1]")
    if args.seeds:
        with tempfile.TemporaryDirectory() as report_dir:
            table, meets = kill_table(mutants, target, checks, args.seeds, (10, args.max_examples), args.every_check,
                                      report_dir)
        print(f"checks: {', '.join(c.name for c in checks)}; {args.seeds} seeds\n\n{table}\n")
        print(f"bar ({', '.join(f'>= {100 * v:.0f} % within {k}' for k, v in BAR.items())}): "
              f"{'met' if meets else 'NOT met'}")
        return 0 if meets else 1
    killed, small, rows = 0, 0, []
    with tempfile.TemporaryDirectory() as report_dir:
        for m in mutants:
            caught, until, shrunk, failed = hunt(m, target, checks, args.max_examples, report_dir, args.every_check,
                                                 shrink=not args.no_shrink)
            stated = m.needs is not None
            ok_size = caught and (args.no_shrink or not stated or shrunk.work <= m.needs.work)
            killed += caught
            small += ok_size
            rows.append(f"| {m.kernel.name} | {'killed' if caught else 'SURVIVED'} | {until or '-'} | "
                        f"{shrunk.summary() if shrunk else '-'} (work {shrunk.work if shrunk else '-'}) | "
                        f"{m.needs.work if stated else '-'} | {size_note(caught, ok_size, args.no_shrink, stated)} | "
                        f"{', '.join(failed) or '-'} |")
    print(f"checks: {', '.join(c.name for c in checks)}\n")
    print("| mutant | outcome | examples until caught | shrunk case | bug needs (work) | size | failed checks |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nkill rate: {killed}/{len(mutants)} ({100 * killed / len(mutants):.0f} %); "
          f"shrunk small enough: {small}/{len(mutants)}")
    enough = killed >= args.kill_rate * len(mutants)
    return 0 if enough and (args.sizes_informational or args.no_shrink or small == killed) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: verified cases per second through the whole pipeline (draw, build, run, compare),
naive (a fresh compile for every example) against the suite's pipeline, on one fixed set of
drawn examples.

    python -m bench.benchmark [--examples 200] [--targets llvm] [--memory 1000,10000]

Pipelines: `naive` (tvm.compile and JIT for every example, no cache), `cached` (the suite's
static mode on its first run: in-memory and on-disk compile caches, both empty at the start),
`replay` (the same examples again in a new process: the on-disk cache is warm, as on a re-run
of the derandomized ci profile or a replay of the example database) and `generic` (the
shape-generic kernel, compiled once per dtype).

Prints one row per kernel x target x pipeline: cases/s, the share of time in each stage, and the
peak RSS; then the ratio of each pipeline to the naive one. With --memory, checks that many
freshly drawn examples with the generic kernel inside one Hypothesis run each (nothing kept)
and prints the process' RSS after each count.

Then the shape-generic row as the suite runs it (`property_test`: Hypothesis draws, every check,
the run's records, all three references, in this process, builds warm), unbatched (one geometry
per Hypothesis example) and batched (up to GENERIC_BATCH per example): distinct geometries
verified per second and the share of the time spent inside the checks (the rest is Hypothesis).
"""
from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

from conformance.checking import GENERIC_BATCH, property_test
from kernels.registry import KERNELS
from model.space import CaseSpace
from conformance.checks import ExampleContext, column_verdicts
from reference.registry import REFERENCES
from reports.failures import FailureWriter
from reports.results import RunResults
from runner import build_cache
from runner.build import build, build_static
from runner.isolation import InProcessRunner
from strategies.inputs import conv_examples
from targets.discovery import select_targets

CACHE_DIR = tempfile.mkdtemp(prefix="dwconf-bench-cache-")  # empty: "cached" starts cold
SPACE = CaseSpace(layouts=("NCHW",), dtypes=("float32",))
PIPELINES = (("naive", "seed_te"), ("cached", "seed_te"), ("replay", "seed_te"),
             ("naive", "topi_nchw"), ("cached", "topi_nchw"), ("replay", "topi_nchw"),
             ("generic", "seed_te_generic"))


def draw_examples(count: int, random_seed: int = 0) -> tuple[list, float]:
    """`count` examples drawn by Hypothesis with a fixed seed, and the seconds the draw took."""
    drawn = []

    @seed(random_seed)
    @settings(max_examples=count, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(ex=conv_examples(SPACE))
    def collect(ex):
        drawn.append(ex)

    started = time.perf_counter()
    collect()
    return drawn[:count], time.perf_counter() - started


def check(pipeline, kernel, target, ex, times):
    """One example through build, first call, run, and every reference; adds to `times`."""
    t = time.perf_counter()
    if pipeline == "naive":
        compiled = build_static.__wrapped__(kernel, ex.case, target)  # no cache
    else:
        compiled = build(kernel, ex.case, target)
    times["compile"] += time.perf_counter() - t
    t = time.perf_counter()
    actual = compiled(ex)
    times["call"] += time.perf_counter() - t
    t = time.perf_counter()
    context = ExampleContext(kernel, None, ex, actual, run=None)
    context.expectation  # the float64 oracle and its bounds, computed once: numpy's time
    times["numpy"] += time.perf_counter() - t
    for ref in REFERENCES.values():
        t = time.perf_counter()
        # the suite's own rule: a reference that is off float64 where the kernel is not skips
        [verdict] = column_verdicts([ref], context)
        assert not verdict.failed, (kernel.name, ex.case.summary(), verdict.message)
        times[ref.name] += time.perf_counter() - t


def run(pipeline, kernel, target, examples, draw_seconds):
    build_static.cache_clear()  # every pipeline starts as a new process would
    os.environ[build_cache.ENV] = "off" if pipeline == "naive" else CACHE_DIR
    times = defaultdict(float, draw=draw_seconds)
    started = time.perf_counter()
    for ex in examples:
        check(pipeline, kernel, target, ex, times)
    total = time.perf_counter() - started + draw_seconds
    return len(examples) / total, {k: v / total for k, v in times.items()}


# The suite checks examples in Hypothesis runs of one row each, at most 1,000 examples (the
# nightly profile). Within a run Hypothesis keeps a record of every choice sequence it tried
# (about 14 KB an example, measured), so one run of 10,000 would measure Hypothesis, not dwconf.
ROW_EXAMPLES = 1000


def check_streaming(count: int, target, random_seed: int) -> float:
    """Draw and check `count` examples with the generic kernel in runs of ROW_EXAMPLES,
    keeping none; cases/s."""
    kernel = KERNELS["seed_te_generic"]
    times = defaultdict(float)
    started = time.perf_counter()
    for row, first in enumerate(range(0, count, ROW_EXAMPLES)):
        @seed(random_seed * 1_000_003 + row)
        @settings(max_examples=min(ROW_EXAMPLES, count - first), database=None, phases=[Phase.generate],
                  deadline=None, suppress_health_check=list(HealthCheck))
        @given(ex=conv_examples(SPACE))
        def check_row(ex):
            check("generic", kernel, target, ex, times)

        check_row()
    return count / (time.perf_counter() - started)


def row_rate(target, batch: int, geometries: int, random_seed: int = 0) -> tuple[int, float, float]:
    """(geometries, geometries/s, share of the time in the checks) of the seed_te_generic row
    run by the suite's own property test with up to `batch` geometries per example."""
    kernel = KERNELS["seed_te_generic"]
    results = RunResults(references=list(REFERENCES))
    test = property_test(kernel, target, tuple(REFERENCES.values()), results,
                         FailureWriter(Path(tempfile.mkdtemp()), results),
                         runner=InProcessRunner(), batch=batch)
    examples = max(1, round(geometries / ((1 + batch) / 2)))  # a batch holds (1 + batch) / 2 on average
    test = seed(random_seed)(settings(max_examples=examples, database=None, phases=[Phase.generate],
                                      deadline=None, suppress_health_check=list(HealthCheck))(test))
    started = time.perf_counter()
    test()
    total = time.perf_counter() - started
    row = results.rows[f"{kernel.name}-{target.name}"]
    return row.examples, row.examples / total, row.seconds / total


def print_row_rates(target, geometries: int):
    row_rate(target, GENERIC_BATCH, 200, random_seed=99)  # compile the kernel for every dtype first
    print("\n| row pipeline | target | geometries | geometries/s | in checks | in Hypothesis | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|")
    for name, batch in (("generic unbatched", 1), ("generic batched", GENERIC_BATCH)):
        count, rate, in_checks = row_rate(target, batch, geometries)
        print(f"| {name} | {target.name} | {count} | {rate:.0f} | {100 * in_checks:.0f}% | "
              f"{100 * (1 - in_checks):.0f}% | {peak_rss_mib():.0f} |")


def current_rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--targets", default="llvm")
    parser.add_argument("--memory", default="", help="comma-separated example counts for the RSS check")
    parser.add_argument("--row-geometries", type=int, default=2000,
                        help="geometries per row pipeline (generic unbatched / batched); 0 skips them")
    args = parser.parse_args(argv)
    if args.examples < 1 or args.row_geometries < 0:
        parser.error("--examples takes a count >= 1 and --row-geometries a count >= 0")
    try:
        memory = [int(c) for c in args.memory.split(",")] if args.memory else []
        targets = [t for t in select_targets(args.targets) if t.runnable]
    except ValueError as exc:
        parser.error(f"--memory takes comma-separated counts: {exc}" if "invalid literal" in str(exc) else str(exc))
    if not targets:
        parser.error(f"none of {args.targets} runs here: the benchmark times kernels it can call")
    examples, draw_seconds = draw_examples(args.examples)
    print(f"{len(examples)} examples (float32, NCHW), drawn in {draw_seconds:.2f} s\n")
    stages = ("draw", "compile", "call", *REFERENCES)  # numpy: the oracle and the magnitudes
    print(f"| pipeline | kernel | target | cases/s | {' | '.join(stages)} | peak RSS MiB |")
    print("|" + "---|" * (len(stages) + 5))
    rates = {}
    for target in targets:
        for pipeline, name in PIPELINES:
            rate, shares = run(pipeline, KERNELS[name], target, examples, draw_seconds)
            rates[(pipeline, name, target.name)] = rate
            cells = " | ".join(f"{100 * shares.get(s, 0):.0f}%" for s in stages)
            print(f"| {pipeline} | {name} | {target.name} | {rate:.1f} | {cells} | {peak_rss_mib():.0f} |")
        naive = rates[("naive", "seed_te", target.name)]
        print(f"\n{target.name}: " + ", ".join(
            f"{p} {n} {r / naive:.1f}x" for (p, n, t), r in rates.items() if t == target.name) + " (vs naive seed_te)\n")
    if args.row_geometries:
        print_row_rates(targets[0], args.row_geometries)
    if memory:
        del examples
        for number, count in enumerate(memory):
            rate = check_streaming(count, targets[0], number + 1)
            print(f"generic, {count} more examples (none kept): {rate:.1f} cases/s, "
                  f"RSS now {current_rss_mib():.0f} MiB, peak {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()

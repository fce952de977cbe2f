"""A kernel that segfaults or hangs becomes a red row with a report; the run goes on."""
import pytest
from hypothesis import Phase, settings

from conformance.checking import ConformanceFailure, property_test, run_row
from runner.isolation import IsolatedRunner
from kernels.registry import KERNELS
from reference.registry import REFERENCES
from reports.html import write_html_report
from reports.failures import FailureWriter
from reports.results import RunResults
from targets.discovery import select_targets
from tests.planted import HANGING, SEGFAULTING

LLVM = select_targets("llvm")[0]
# No shrinking here: each shrink step of an always-crashing kernel costs a worker restart
# (and of a hanging one, a timeout); the real run shrinks, within Hypothesis' time limit.
ONCE = settings(max_examples=2, database=None, deadline=None, derandomize=True,
                phases=[Phase.explicit, Phase.generate])


@pytest.fixture(scope="module")
def runner():
    runner = IsolatedRunner(timeout=10)
    yield runner
    runner.close()


def failing_row(kernel, runner, results, report_dir):
    test = property_test(kernel, LLVM, (REFERENCES["numpy"],), results, FailureWriter(report_dir, results), runner=runner)
    with pytest.raises(ConformanceFailure) as failure:
        run_row(ONCE(test))
    return str(failure.value)


def test_crash_and_hang_are_red_rows_and_the_run_goes_on(runner, tmp_path):
    results = RunResults(references=["numpy"])
    crash = failing_row(SEGFAULTING, runner, results, tmp_path)
    hang = failing_row(HANGING, runner, results, tmp_path)
    assert "crash: the worker process died" in crash
    assert "timeout: no result within 10 s" in hang
    # ... and a healthy row still runs in a fresh worker afterwards.
    ONCE(property_test(KERNELS["topi_nchw"], LLVM, (REFERENCES["numpy"],), results, FailureWriter(tmp_path, results), runner=runner))()
    assert results.rows["topi_nchw-llvm"].counts["numpy"] == {"pass": 2}
    html = write_html_report(results, tmp_path).read_text()
    assert "planted_segfault" in html and "planted_hang" in html and "crash: the worker" in html
    assert {f.kernel for f in results.failures} == {"planted_segfault", "planted_hang"}


def test_isolated_results_equal_in_process_results(runner):
    from runner.isolation import build_and_call
    from model.case import DepthwiseCase
    from model.example import seeded_example

    ex = seeded_example(DepthwiseCase(channels=3, height=5, width=4, kernel_h=2, pad_left=1), 2)
    isolated = runner.run(KERNELS["seed_te"], LLVM, ex)
    local = build_and_call(KERNELS["seed_te"], LLVM, ex)
    assert isolated.error is None and (isolated.actual == local.actual).all()


def test_the_worker_dies_with_the_process_that_started_it():
    """A run that crashes must not leave its worker behind: the worker would hold the run's
    output pipes open, and whoever waits for them (CI, a test's subprocess.run) would hang."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    script = (
        "import os\n"
        "from kernels.registry import KERNELS\n"
        "from model.case import DepthwiseCase\n"
        "from model.example import seeded_example\n"
        "from runner.isolation import IsolatedRunner\n"
        "from targets.discovery import select_targets\n"
        "runner = IsolatedRunner(60)\n"
        "runner.run(KERNELS['seed_te'], select_targets('llvm')[0], seeded_example(DepthwiseCase(), 0))\n"
        "print(*(p.pid for p in runner._pool._processes.values()), flush=True)\n"
        "os.kill(os.getpid(), 9)\n")
    root = Path(__file__).resolve().parents[1]
    run = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120)
    worker = Path(f"/proc/{run.stdout.split()[-1]}/status")
    for _ in range(50):
        if not worker.exists() or "State:\tZ" in worker.read_text():
            break
        time.sleep(0.1)
    assert not worker.exists() or "State:\tZ" in worker.read_text()

"""Adding a dtype or a check column is an edit in one place (docs/design.md, "Where each idea
lives"): a copy of the project with a dummy of each written there, and nowhere else, has the
matrix of this one grown by exactly the dummy's classes (a dtype) or its column (a check)."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The matrix as the plugin derives it: every check column selected by default, and each
# kernel x target row with the classes its cases can fall into (what the report's coverage
# lists); then one example of seed_te on llvm checked against every column.
PROBE = """
import json
from conformance.checks import select_checks
from conformance.checking import check_example
from kernels.registry import KERNELS
from model.case import DepthwiseCase
from model.coverage import possible_classes
from model.example import seeded_example
from model.row import row_id
from reports.results import RunResults
from targets.discovery import available_targets, select_targets

checks = select_checks(None)
rows = {}
for kernel in KERNELS.values():
    for target in available_targets():
        space = target.restrict(kernel.space, kernel.kind)
        if space is not None:
            rows[row_id(kernel.name, target.name)] = {k: list(v) for k, v in possible_classes(space).items()}
example = seeded_example(DepthwiseCase(channels=2, height=5, width=5, pad_top=1, pad_left=1), 0)
results = RunResults()
verdicts = check_example(KERNELS["seed_te"], select_targets("llvm")[0], example, checks, results, None)
print(json.dumps({"checks": [c.name for c in checks], "rows": rows, "verdicts": [v.reference for v in verdicts],
                  "counted": sorted(results.rows["seed_te-llvm"].counts)}))
"""


def matrix(tmp_path: Path, edit: tuple | None = None) -> dict:
    """The matrix of a copy of the project with `edit` = (file, old line start, new text) applied."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".tox", "__pycache__", ".dwconf-cache",
                                                              ".hypothesis", "conformance-report*", "test-results"))
    if edit is not None:
        path, anchor, new = edit
        text = (copy / path).read_text()
        assert text.count(anchor) == 1, f"{path} has no single {anchor!r}"
        (copy / path).write_text(text.replace(anchor, new))
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=copy, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "DWCONF_BUILD_CACHE": "off"})
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> dict:
    return matrix(tmp_path_factory.mktemp("base"))


def test_a_dtype_added_to_the_case_model_grows_the_rows_by_exactly_its_class(base, tmp_path):
    grown = matrix(tmp_path, ("model/case.py", 'DTYPES = ("float32", "float64", "float16", "bfloat16")',
                              'DTYPES = ("float32", "float64", "float16", "bfloat16", "dummy16")'))
    assert grown["rows"].keys() == base["rows"].keys() and grown["checks"] == base["checks"]
    gained = set()
    for row, classes in base["rows"].items():
        new = grown["rows"][row]
        assert {k: v for k, v in new.items() if k != "dtype"} == {k: v for k, v in classes.items() if k != "dtype"}
        assert [d for d in new["dtype"] if d != "dummy16"] == classes["dtype"], row
        if "dummy16" in new["dtype"]:
            gained.add(row)
    # Every kernel that takes every float dtype gains it (on llvm, which every host has).
    assert {"seed_te-llvm", "topi_nchw-llvm", "relax_conv2d-llvm"} <= gained, sorted(gained)


def test_a_check_added_to_the_registry_is_exactly_one_more_column(base, tmp_path):
    dummy = ('    SelfCheck("dummy_check", "a differential of the build with itself", '
             'lambda kernel, target, ex, actual: same_example(kernel, target, ex, actual), DIFFERENTIALS_GROUP),\n')
    grown = matrix(tmp_path, ("conformance/self_checks.py", "\n)\n\nSELF_CHECKS", "\n" + dummy + ")\n\nSELF_CHECKS"))
    assert grown["checks"] == base["checks"] + ["dummy_check"]
    assert grown["rows"] == base["rows"]
    assert grown["verdicts"] == base["verdicts"] + ["dummy_check"]
    assert grown["counted"] == sorted(base["counted"] + ["dummy_check"])

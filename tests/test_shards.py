"""Past one machine: --shard I/N splits the matrix (every test in exactly one shard, balanced by
recorded cost), and reports.merge makes of the shards' folders the report one unsharded run writes."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.shards import parse_shard, split
from reports.merge import merge_results

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_lands_in_exactly_one_shard_and_the_costs_balance():
    costs = {f"row-{i}": float(c) for i, c in enumerate([30, 29, 5, 5, 4, 3, 3, 2, 1, 1])}
    for shards in (1, 2, 3, 7):
        assigned = split(costs, shards)
        assert set(assigned) == set(costs) and set(assigned.values()) <= set(range(1, shards + 1))
        assert split(dict(reversed(costs.items())), shards) == assigned  # the order of collection does not matter
    loads = {s: sum(c for k, c in costs.items() if split(costs, 2)[k] == s) for s in (1, 2)}
    assert abs(loads[1] - loads[2]) <= 1, loads


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "", "1/0"])
def test_a_bad_shard_says_what_it_takes(text):
    with pytest.raises(ValueError, match="I/N with 1 <= I <= N"):
        parse_shard(text)


def run(*args, report):
    return subprocess.run([sys.executable, "-m", "pytest", "conformance", "-q", "-p", "no:randomly",
                           "--hypothesis-profile=ci", "--targets", "llvm", "--kernels", "seed_te,topi_nchw,topi_nhwc",
                           "--references", "numpy,torch", "--report-dir", str(report),
                           "--junitxml", str(report / "junit.xml"), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_two_shards_merged_equal_the_unsharded_run(tmp_path):
    whole = run(report=tmp_path / "whole")
    assert whole.returncode == 0, whole.stdout[-2000:] + whole.stderr[-2000:]
    for i in (1, 2):
        shard = run("--shard", f"{i}/2", report=tmp_path / f"shard{i}")
        assert shard.returncode in (0, 5), shard.stdout[-2000:] + shard.stderr[-2000:]
    merge = subprocess.run([sys.executable, "-m", "reports.merge", str(tmp_path / "shard1"), str(tmp_path / "shard2"),
                            "--out", str(tmp_path / "merged")], cwd=ROOT, capture_output=True, text=True)
    assert merge.returncode == 0, merge.stdout + merge.stderr
    one, merged = (json.loads((tmp_path / name / "results.json").read_text()) for name in ("whole", "merged"))
    assert merged["rows"].keys() == one["rows"].keys()
    for key, row in one["rows"].items():
        assert merged["rows"][key]["fingerprint"] == row["fingerprint"], key
        assert merged["rows"][key]["counts"] == row["counts"] and merged["rows"][key]["examples"] == row["examples"]
    assert merged["refusal_rows"] == one["refusal_rows"]
    assert sorted(f["case_summary"] for f in merged["failures"]) == sorted(f["case_summary"] for f in one["failures"])
    assert merged["findings"] == one["findings"] and merged["environment"] == one["environment"]
    assert junit_tests(tmp_path / "merged") == junit_tests(tmp_path / "whole")
    assert (tmp_path / "merged" / "index.html").is_file()
    with pytest.raises(ValueError, match="already merged"):  # one shard given twice
        merge_results([tmp_path / "shard1", tmp_path / "shard1"])


def junit_tests(folder: Path) -> int:
    import xml.etree.ElementTree as ET

    return int(ET.parse(folder / "junit.xml").getroot().find("testsuite").get("tests"))

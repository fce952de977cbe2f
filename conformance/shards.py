"""Splitting one run across CI jobs: `--shard I/N` keeps the I-th of N shards of the collected
tests, every test in exactly one shard, the shards balanced by each row's recorded cost.

The costs are the seconds each matrix row took in an earlier run (`RowResult.row_seconds` in a
results.json; `conformance/row_costs.json` is the committed table, refreshed with
`python -m conformance.shards conformance-report/results.json`); a test with no recorded cost
(a finding's test, a refusal row, a row new since) counts as DEFAULT_COST. The split is the
longest-processing-time rule: tests by descending cost (ties by id), each to the shard with the
least total so far (ties: the lowest shard). It depends on the ids and the table alone, so every
job of a CI matrix, and every xdist worker within a job, computes the same split.
"""
from __future__ import annotations

import heapq
import json
import re
import sys
from pathlib import Path

COSTS = Path(__file__).with_name("row_costs.json")
DEFAULT_COST = 1.0  # seconds: a test whose cost no run recorded


def parse_shard(text: str) -> tuple[int, int]:
    """(I, N) from "I/N" with 1 <= I <= N; ValueError that says what is expected."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ValueError(f"--shard takes I/N with 1 <= I <= N (e.g. 1/2), got {text!r}")
    return int(match[1]), int(match[2])


def split(costs: dict, shards: int) -> dict:
    """id -> shard (1-based) for every id of `costs` (id -> seconds), by the rule above."""
    heap = [(0.0, shard) for shard in range(1, shards + 1)]
    assigned = {}
    for key in sorted(costs, key=lambda k: (-costs[k], k)):
        total, shard = heapq.heappop(heap)
        assigned[key] = shard
        heapq.heappush(heap, (total + costs[key], shard))
    return assigned


def load_costs(path: Path | None = None) -> dict:
    """Row id -> seconds from a costs table or a results.json (its rows' row_seconds)."""
    path = Path(path or COSTS)
    if not path.is_file():
        return {}
    raw = json.loads(path.read_text())
    if "rows" in raw:
        return {key: float(row.get("row_seconds", 0.0)) for key, row in raw["rows"].items()}
    return {key: float(value) for key, value in raw.items()}


def main(argv=None) -> int:
    """Write conformance/row_costs.json from a run's results.json."""
    if not argv:
        argv = sys.argv[1:]
    if len(argv) != 1 or not Path(argv[0]).is_file():
        print("usage: python -m conformance.shards RESULTS_JSON  (writes conformance/row_costs.json)")
        return 2
    costs = {key: round(value, 1) for key, value in sorted(load_costs(Path(argv[0])).items()) if value > 0}
    COSTS.write_text(json.dumps(costs, indent=1, sort_keys=True) + "\n")
    print(f"{COSTS}: {len(costs)} rows, {sum(costs.values()):.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())

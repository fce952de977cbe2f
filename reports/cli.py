"""List the failures of the last run and print the bug report of one.

    python -m reports.cli list [--report-dir conformance-report]
    python -m reports.cli show N [--report-dir conformance-report]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_REPORT_DIR = "conformance-report"


def failure_dirs(report_dir: Path) -> list[Path]:
    """The failure folders of a run, in a stable order."""
    return sorted(p for p in (report_dir / "failures").glob("*") if (p / "bug_report.md").is_file())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("list", "show"))
    parser.add_argument("number", nargs="?", type=int, help="with show: the failure's number from list")
    parser.add_argument("--report-dir", default=DEFAULT_REPORT_DIR)
    args = parser.parse_args(argv)
    failures = failure_dirs(Path(args.report_dir))
    if not failures:
        print(f"no failures recorded under {args.report_dir}/failures (run the conformance suite first)")
        return 0 if args.command == "list" else 1
    if args.command == "list":
        for number, folder in enumerate(failures, 1):
            title = (folder / "bug_report.md").read_text().splitlines()[0].lstrip("# ")
            case = json.loads((folder / "case.json").read_text())
            print(f"{number:3d}  {folder.name}  {title}  ({case['dtype']}, {case['layout']})")
        return 0
    if args.number is None or not 1 <= args.number <= len(failures):
        parser.error(f"show takes a failure number from 1 to {len(failures)} (see: list)")
    sys.stdout.write((failures[args.number - 1] / "bug_report.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One report from the shards of a run (`--shard I/N`, each with its own --report-dir):

    python -m reports.merge shard-1/ shard-2/ --out conformance-report/

reads each folder's results.json and junit.xml, and writes to --out what one unsharded run writes:
index.html, results.json (the rows, counts, fingerprints and failures of every shard), junit.xml
(every test case, the counts summed) and the failures' folders. Exit status 1 when a folder holds
no results.json, or when two shards ran the same row (the shards of one run never do); with
`--expect RESULTS_JSON` (an unsharded run's), also when a merged row's fingerprint, counts or
examples differ from that run's row of the same name, or a failure of those rows is not the same.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from reports.html import write_html_report
from reports.results import RunResults

JUNIT_COUNTS = ("tests", "errors", "failures", "skipped")


def merge_results(folders) -> RunResults:
    """The shards' RunResults as one; ValueError when two shards ran one row."""
    merged = RunResults()
    for folder in folders:
        part = RunResults.from_json((Path(folder) / "results.json").read_text())
        twice = sorted(set(part.rows) & set(merged.rows)) + sorted(set(part.refusal_rows) & set(merged.refusal_rows))
        if twice:
            raise ValueError(f"{folder}: rows already merged from another shard: {', '.join(twice)}")
        merged.merge(part)
    merged.environment.pop("shard", None)  # the merged run is the whole run
    return merged


def differences(merged: RunResults, whole: RunResults) -> list[str]:
    """How the merged rows differ from the same rows of an unsharded run (none: identical)."""
    found = [f"{key}: not in the unsharded run" for key in sorted(set(merged.rows) - set(whole.rows))]
    for key in sorted(set(merged.rows) & set(whole.rows)):
        mine, theirs = merged.rows[key], whole.rows[key]
        for name in ("fingerprint", "counts", "examples", "skip_reason"):
            if getattr(mine, name) != getattr(theirs, name):
                found.append(f"{key}: {name} {getattr(mine, name)!r} != {getattr(theirs, name)!r}")

    def cases(results):
        return sorted((f.kernel, f.target, f.case_summary) for f in results.failures
                      if f"{f.kernel}-{f.target}" in merged.rows)

    if cases(merged) != cases(whole):
        found.append(f"failures {cases(merged)} != {cases(whole)}")
    return found


def merge_junit(files, out: Path) -> None:
    """One JUnit file holding every test case of `files`, in one suite, its counts summed."""
    suites = [suite for f in files for suite in ET.parse(f).getroot().iter("testsuite")]
    if not suites:
        return
    merged = ET.Element("testsuite", dict(suites[0].attrib))
    for name in JUNIT_COUNTS:
        merged.set(name, str(sum(int(s.get(name, 0)) for s in suites)))
    merged.set("time", f"{sum(float(s.get('time', 0)) for s in suites):.3f}")
    for suite in suites:
        merged.extend(list(suite.findall("testcase")))
    root = ET.Element("testsuites")
    root.append(merged)
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", help="the shards' report folders")
    parser.add_argument("--out", default="conformance-report", help="where the merged report goes")
    parser.add_argument("--diff-against", default=None, help="an earlier run's results.json: a section of what changed")
    parser.add_argument("--expect", default=None,
                        help="an unsharded run's results.json: exit 1 unless every merged row is identical to its own")
    args = parser.parse_args(argv)
    missing = [f for f in args.folders if not (Path(f) / "results.json").is_file()]
    if missing:
        print(f"reports.merge: no results.json in {', '.join(missing)} (each shard's --report-dir)", file=sys.stderr)
        return 1
    try:
        results = merge_results(args.folders)
    except ValueError as exc:
        print(f"reports.merge: {exc}", file=sys.stderr)
        return 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for folder in args.folders:
        if (Path(folder) / "failures").is_dir():
            shutil.copytree(Path(folder) / "failures", out / "failures", dirs_exist_ok=True)
    merge_junit([Path(f) / "junit.xml" for f in args.folders if (Path(f) / "junit.xml").is_file()], out / "junit.xml")
    write_html_report(results, out, baseline=args.diff_against)
    (out / "results.json").write_text(results.to_json())
    print(f"merged {len(args.folders)} shards: {len(results.rows)} rows, {len(results.failures)} failure(s); "
          f"{out / 'index.html'}")
    if args.expect:
        found = differences(results, RunResults.from_json(Path(args.expect).read_text()))
        print("\n".join(found) or f"every merged row is identical to its row in {args.expect}")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

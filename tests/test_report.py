"""Run results merge across workers, and the HTML report renders the whole matrix."""
import re

from reference.comparison import Verdict
from reports.html import write_html_report
from reports.failures import FailureWriter
from reports.results import RunResults


def sample_results():
    results = RunResults(references=["numpy", "torch"], environment={"tvm": "x"})
    results.record_verdicts("seed_te", "llvm", [Verdict("numpy", "pass"), Verdict("torch", "fail", "off")])
    results.record_verdicts("seed_te", "llvm", [Verdict("numpy", "pass"), Verdict("torch", "pass")])
    results.record_skip("seed_te", "cuda", "no cuda device found")
    results.record_row_time("seed_te", "llvm", 1.5)
    return results


def test_counts_and_cell_status():
    row = sample_results().rows["seed_te-llvm"]
    assert row.examples == 2
    assert row.counts == {"numpy": {"pass": 2}, "torch": {"fail": 1, "pass": 1}}
    assert RunResults.cell_status(row.counts["torch"]) == "fail"
    assert RunResults.cell_status({}) == "skip"


def test_json_round_trip_and_merge(tmp_path):
    a, b = sample_results(), sample_results()
    (tmp_path / "gw0.json").write_text(a.to_json())
    (tmp_path / "gw1.json").write_text(b.to_json())
    merged = RunResults.load_parts(tmp_path)
    assert merged.rows["seed_te-llvm"].examples == 4
    assert merged.rows["seed_te-llvm"].row_seconds == 3.0
    assert merged.rows["seed_te-llvm"].counts["torch"] == {"fail": 2, "pass": 2}
    assert merged.rows["seed_te-cuda"].skip_reason == "no cuda device found"
    assert merged.references == ["numpy", "torch"]


def test_html_shows_rows_verdicts_and_skip_reasons(tmp_path):
    html = write_html_report(sample_results(), tmp_path).read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert 'id="row-seed_te-llvm"' in html and 'id="row-seed_te-cuda"' in html
    assert "no cuda device found" in html
    assert '<td class="fail" title="1 fail, 1 pass">fail <small>1/2</small>' in html
    assert '<td class="pass" title="2 pass">pass <small>2</small>' in html
    # a table of contents; the kernel's skipped target folded into a line with its reason's note
    assert '<nav class="toc"' in html and 'href="#failures"' in html and 'href="#coverage"' in html
    assert re.search(r'Not run on: <span id="row-seed_te-cuda">cuda: skipped \[\d+\]</span>', html)
    assert "()" not in re.sub(r"<(script|style)>.*?</\1>", "", html, flags=re.S)  # no cell without its reason


def test_html_escapes_what_it_shows(tmp_path):
    results = sample_results()
    results.record_skip("k", "t", "<script>alert(1)</script>")
    html = write_html_report(results, tmp_path).read_text()
    assert "<script>alert" not in html


def test_a_known_failure_that_explained_nothing_in_rows_that_ran_is_stale():
    from findings.table import KNOWN_FAILURES
    from reports.plugin import stale_known_failures

    [c_codegen] = [k for k in KNOWN_FAILURES if k.reaches == ("tir.vectorized",)]
    results = RunResults(references=["numpy"])
    results.record_verdicts("seed_te_cpu_tiled", "llvm", [Verdict("numpy", "pass")])
    assert stale_known_failures(results) == []  # not its target
    results.record_verdicts("seed_te_cpu_tiled", "c", [Verdict("numpy", "pass")])
    assert stale_known_failures(results) == [c_codegen]  # its row ran, and it matched nothing
    results.record_known(c_codegen.key)
    assert stale_known_failures(results) == []
    assert stale_known_failures(RunResults()) == []  # rows that did not run say nothing


def test_the_grid_has_one_cell_per_row_and_folds_repeated_notes_into_footnotes(tmp_path):
    results = sample_results()
    for target in ("vulkan", "rocm"):
        results.record_skip("seed_te", target, "this TVM build has no code generator for it")
    results.record_verdicts("topi_nchw", "llvm", [Verdict("numpy", "pass"), Verdict("torch", "skip", "no bf16")])
    html = write_html_report(results, tmp_path).read_text()
    grid = html[html.index('<table class="grid">'):]
    grid = grid[:grid.index("</table>")]
    cells = re.findall(r'<td class="(pass|fail|error|known|compiled|skip)"', grid)
    assert len(cells) == len(results.rows) == 5
    assert cells.count("skip") == 3 and cells.count("fail") == 1  # seed_te-llvm: its worst reference
    shown = re.sub(r'title="[^"]*"', "", html)  # hover texts aside
    assert shown.count("this TVM build has no code generator for it") == 1  # one footnote for both rows
    assert 'class="legend"' in html and html.index('class="legend"') < html.index('class="grid"')


def test_coverage_counts_every_checked_example_once_per_field(tmp_path, llvm, self_test):
    from conformance.checking import pinned_failures, property_test, run_row
    from kernels.registry import KERNELS
    from reference.registry import REFERENCES

    results = RunResults(references=["numpy"])
    kernel, numpy_only = KERNELS["seed_te_generic"], (REFERENCES["numpy"],)
    pinned = pinned_failures(kernel, llvm, numpy_only, results, FailureWriter(tmp_path, results))
    run_row(self_test(40)(property_test(kernel, llvm, numpy_only, results, FailureWriter(tmp_path, results))), pinned)
    row = results.rows["seed_te_generic-llvm"]
    assert row.examples >= 40
    for name, counts in {**row.coverage, **row.pairs}.items():
        assert sum(counts.values()) == row.examples, name
    assert set(row.coverage) == set(row.possible)
    assert all(cls in row.possible[name] for name, counts in row.coverage.items() for cls in counts)
    assert row.never_exercised == [f"{name}: {cls}" for name, classes in row.possible.items() for cls in classes
                                   if cls not in row.coverage[name]]
    assert "layout: NHWC" not in row.never_exercised  # an NCHW-only kernel is not blamed for it


def test_the_tox_environments_write_junit_next_to_the_report():
    import configparser
    from pathlib import Path

    tox = configparser.ConfigParser(interpolation=None)
    tox.read(Path(__file__).resolve().parents[1] / "tox.ini")
    for env, folder in (("conformance", "conformance-report"), ("conformance-numpy2", "conformance-report-numpy2")):
        commands = tox[f"testenv:{env}"]["commands"]
        assert f"--report-dir={{tox_root}}/{folder}" in commands and f"--junitxml={{tox_root}}/{folder}/junit.xml" in commands


def test_the_heatmap_draws_the_worst_plane_of_any_rank(tmp_path):
    """A 1-D output's plane is channels x width; a 3-D output's the (image, channel, depth) plane;
    channels-last layouts are read as such."""
    import numpy as np

    from reports.pictures import error_heatmap, worst_plane

    one_d = np.zeros((2, 3, 5))
    one_d[1, 2, 4] = 9.0
    plane, where = worst_plane(one_d, "NCW")
    assert plane.shape == (3, 5) and where == "image 1"
    three_d = np.zeros((1, 2, 3, 4, 5))
    three_d[0, 1, 2, 3, 4] = 9.0
    plane, where = worst_plane(three_d.transpose(0, 2, 3, 4, 1), "NDHWC")
    assert plane.shape == (4, 5) and plane[3, 4] == 9.0 and where == "image 0, channel 1, depth 2"
    expected = np.zeros((1, 2, 3, 4, 5))
    assert error_heatmap(three_d, expected, np.ones_like(expected), "NCDHW", tmp_path / "h.png", "3-D").is_file()

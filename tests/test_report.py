"""Run results merge across workers, and the HTML report renders the whole matrix."""
from reference.comparison import Verdict
from reports.html import write_html_report
from reports.results import RunResults


def sample_results():
    results = RunResults(references=["numpy", "torch"], environment={"tvm": "x"})
    results.record_verdicts("seed_te", "llvm", [Verdict("numpy", "pass"), Verdict("torch", "fail", "off")])
    results.record_verdicts("seed_te", "llvm", [Verdict("numpy", "pass"), Verdict("torch", "pass")])
    results.record_skip("seed_te", "cuda", "no cuda device found")
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
    assert merged.rows["seed_te-llvm"].counts["torch"] == {"fail": 2, "pass": 2}
    assert merged.rows["seed_te-cuda"].skip_reason == "no cuda device found"
    assert merged.references == ["numpy", "torch"]


def test_html_shows_rows_verdicts_and_skip_reasons(tmp_path):
    html = write_html_report(sample_results(), tmp_path).read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert 'id="row-seed_te-llvm"' in html and 'id="row-seed_te-cuda"' in html
    assert "no cuda device found" in html
    assert '<td class="fail">fail' in html and '<td class="pass">pass' in html


def test_html_escapes_what_it_shows(tmp_path):
    results = sample_results()
    results.record_skip("k", "t", "<script>alert(1)</script>")
    html = write_html_report(results, tmp_path).read_text()
    assert "<script>alert" not in html


def test_a_known_failure_that_explained_nothing_in_rows_that_ran_is_stale():
    from findings.table import KNOWN_FAILURES
    from reports.plugin import stale_known_failures

    [c_codegen] = [k for k in KNOWN_FAILURES if k.kernels == ("seed_te_cpu_tiled",)]
    results = RunResults(references=["numpy"])
    results.record_verdicts("seed_te_cpu_tiled", "c", [Verdict("numpy", "pass")])
    assert stale_known_failures(results) == [c_codegen]  # its row ran, and it matched nothing
    results.record_known(c_codegen.key)
    assert stale_known_failures(results) == []
    assert stale_known_failures(RunResults()) == []  # rows that did not run say nothing

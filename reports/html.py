"""The self-contained HTML report: the kernel x target x reference matrix, then each failure."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from reports.results import RunResults

TEMPLATES = Path(__file__).parent / "templates"


def write_html_report(results: RunResults, report_dir: Path, title: str = "dwconf conformance report") -> Path:
    """Render `results` to report_dir/index.html and return its path."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.globals["cell_status"] = RunResults.cell_status
    rows = sorted(results.rows.values(), key=lambda r: (r.kernel, r.target))
    html = env.get_template("report.html.j2").render(
        title=title, rows=rows, references=results.references, failures=results.failures,
        environment=results.environment, totals=results.totals(),
    )
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    path = report_dir / "index.html"
    path.write_text(html)
    return path

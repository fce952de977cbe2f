"""Run results, failure artifacts (repro scripts, bug reports) and the HTML report."""

"""conformance/examples_key.py, the one use of a private Hypothesis name, does what it says:
under derandomize, equal keys draw equal examples and different keys draw different ones."""
from hypothesis import given, settings, strategies as st

from conformance.examples_key import key_examples


def drawn_under(key: str) -> list:
    seen = []

    def record(x):
        seen.append(x)

    settings(max_examples=20, derandomize=True, database=None, deadline=None)(
        given(x=st.integers(0, 10**9))(key_examples(record, key)))()
    return seen


def test_equal_keys_draw_equal_examples_and_different_keys_different_ones():
    first, again, other = drawn_under("dwconf:seed_te-llvm"), drawn_under("dwconf:seed_te-llvm"), drawn_under("dwconf:seed_te-c")
    assert len(first) >= 10 and first == again
    assert other != first


def test_nightly_profile_searches_and_keeps_its_examples_in_a_configurable_database(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    probe = ("import conftest; from hypothesis import settings; p = settings.get_profile('nightly'); "
             "print(p.derandomize, p.database.path, p.max_examples)")
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "DWCONF_EXAMPLE_DB": str(tmp_path / "db")}).stdout.split()
    assert out == ["False", str(tmp_path / "db"), "1000"]

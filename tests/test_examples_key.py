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

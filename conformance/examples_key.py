"""The one place dwconf uses a private Hypothesis name.

Hypothesis derives two things from a digest of the test function: the key of its entries in
the example database, and, under `derandomize`, the seed of the examples it generates.
`_hypothesis_internal_add_digest` adds to that digest; Hypothesis' own pytest plugin uses it to
tell the parametrizations of one test apart. No public API does the same: `hypothesis.seed()`
seeds only runs that are not derandomized and leaves the database key alone.
"""
from __future__ import annotations


def key_examples(test_function, key: str):
    """Give `test_function` (before @given) the examples of `key`: its own example-database
    entries (a failure of one row is not replayed on another) and, under derandomize, its own
    generated examples. Equal keys draw equal examples; different keys draw different ones."""
    test_function._hypothesis_internal_add_digest = key.encode()  # private: see the module docstring
    return test_function

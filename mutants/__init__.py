"""Deliberately wrong kernels: the suite's self-check (`tox -e mutants`)."""

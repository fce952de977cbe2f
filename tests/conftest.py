"""Fixtures of the suite's own tests: the llvm target, settings for self-tests, running a repro."""
import subprocess
import sys

import pytest
from hypothesis import settings

from conftest import COMMON_SETTINGS


@pytest.fixture(scope="session")
def llvm():
    """TVM's default CPU target, available wherever TVM has LLVM."""
    from targets.discovery import select_targets

    return select_targets("llvm")[0]


@pytest.fixture(scope="session")
def self_test():
    """settings(max_examples=n) for a self-test: derandomized, no example database."""
    return lambda max_examples: settings(max_examples=max_examples, derandomize=True, database=None, **COMMON_SETTINGS)


@pytest.fixture(scope="session")
def run_repro():
    """Run a repro script in a fresh Python: the CompletedProcess (exit 1: reproduced)."""
    return lambda script: subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)

"""dwconf's pytest set-up: the Hypothesis profiles, and the plugins that derive the kernel x
target matrix (conformance/plugin.py) and write the report (reports/plugin.py)."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from conformance.example_database import example_database
from strategies.budget import NIGHTLY, PROFILES, nightly

pytest_plugins = ["conformance.plugin", "reports.plugin"]

# Compilation makes single examples slow (~0.1 s on llvm), so no deadline anywhere.
COMMON_SETTINGS = dict(deadline=None, print_blob=True,
                       suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
EXAMPLE_DB, EXAMPLE_DB_SAYS = example_database(os.environ.get("DWCONF_EXAMPLE_DB"))
# The profiles are strategies/budget.py's; nightly keeps what it finds in a persistent example
# database: DWCONF_EXAMPLE_DB, a folder (default .dwconf-cache/examples) or a shared
# redis://HOST:PORT/N (conformance/example_database.py).
for name, how in PROFILES.items():
    settings.register_profile(name, **how, **COMMON_SETTINGS, **(dict(database=EXAMPLE_DB) if name == NIGHTLY else {}))


def check_profile(name: str, where: str) -> str:
    """`name` when it is a registered profile; else a usage error that lists them."""
    if name not in PROFILES:
        raise pytest.UsageError(f"{where}: unknown Hypothesis profile {name!r}; the profiles are "
                                f"{', '.join(PROFILES)}")
    return name


def pytest_report_header(config):
    if nightly() or os.environ.get("DWCONF_EXAMPLE_DB"):
        return EXAMPLE_DB_SAYS


@pytest.hookimpl(tryfirst=True)  # before Hypothesis' own plugin loads the profile (and crashes on a bad one)
def pytest_configure(config):
    chosen = config.getoption("hypothesis_profile", None)
    if chosen is not None:
        check_profile(chosen, "--hypothesis-profile")
    else:
        settings.load_profile(check_profile(os.environ.get("DWCONF_PROFILE", "dev"), "DWCONF_PROFILE"))

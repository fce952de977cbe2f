"""Optional packages (torch, mxnet, ...): whether one can be used here, and if not, why."""
from __future__ import annotations

import functools
import importlib


@functools.cache
def missing_package(module: str | None) -> str | None:
    """Why an optional package cannot be used (None when it imports)."""
    if module is None:
        return None
    try:
        importlib.import_module(module)
    except Exception as exc:  # a broken install is as unusable as a missing one
        return f"{module} is not usable here ({type(exc).__name__}: {exc}); pip install -r requirements.txt"
    return None

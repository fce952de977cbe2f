"""`Row`: one kernel on one target, the unit the matrix is made of and the report counts by."""
from __future__ import annotations

from dataclasses import dataclass


def row_id(kernel: str, target: str) -> str:
    """A row's name: "{kernel}-{target}" (test ids, report rows, failure folders)."""
    return f"{kernel}-{target}"


@dataclass(frozen=True)
class Row:
    """A kernel (kernels.kernel.Kernel) on a target (targets.discovery.Target)."""

    kernel: object
    target: object

    @property
    def id(self) -> str:
        return row_id(self.kernel.name, self.target.name)

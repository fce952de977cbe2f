"""Known upstream failures: each names its finding and matches its symptom exactly.

An example whose failure matches an entry (same kernel, target and error text) is counted
as "known" instead of failing the row; any other failure in the same row still fails it.
Each entry has a strict xfail in test_findings.py that notices when upstream fixes it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class KnownFailure:
    finding: str            # reports/findings/<name>.md
    kernels: tuple          # kernel names
    targets: tuple          # target names
    pattern: str            # regular expression the verdict message must match

    def matches(self, kernel: str, target: str, message: str) -> bool:
        return kernel in self.kernels and target in self.targets and re.search(self.pattern, message) is not None


DLIGHT = "reports/findings/dlight-depthwise-conv2d.md"
C_CODEGEN = "reports/findings/c-target-codegen.md"
KNOWN_FAILURES = (
    KnownFailure(C_CODEGEN, ("seed_te_cpu_tiled",), ("c",),
                 r"error: .(float|double|half|int)\d+. was not declared in this scope"),
    KnownFailure(DLIGHT, ("relax_conv2d", "torch_export"), ("cuda", "opencl", "metal"),
                 r"compile error: AssertionError"),
    KnownFailure(DLIGHT, ("relax_conv2d", "torch_export"), ("cuda", "opencl", "metal"),
                 r"Cross-thread reduction requires all the reduction-related loops"),
)


def known_failure(kernel: str, target: str, message: str) -> KnownFailure | None:
    """The entry that explains this failure, if any."""
    return next((k for k in KNOWN_FAILURES if k.matches(kernel, target, message)), None)

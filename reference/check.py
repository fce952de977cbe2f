"""A check column of the matrix: one interface for every kind of column.

A framework reference (reference/registry.py: numpy's float64 oracle, torch, mxnet,
onnxruntime) computes what the kernel's output (the convolution, or the gradient a gradient
row computes) should be; a self-check (conformance/self_checks.py: the metamorphic relations
and the compilation differentials) runs the kernel again and relates the outputs. Each says
what it can take, and why not (a visible skip), for one example's `ExampleContext`
(conformance/checks.py: the kernel, target, example, its output and the oracle), and gives
its verdict. `conformance/checks.py` `CHECKS` is the one registry `--checks` selects from.
"""
from __future__ import annotations

FRAMEWORKS = "frameworks"


class Check:
    """A check column. Subclasses give `name`, `group` and `claim` (what it holds the kernel
    to), and the two methods."""

    name: str
    group: str
    claim: str
    # True for a check that builds and runs the kernel again (a follow-up): an example then
    # gets one such check, drawn, outside the nightly profile (ConvExample.pick).
    reruns: bool = False

    def why_not(self, context) -> str | None:
        """None when this check takes the example, else the reason (a visible skip)."""
        raise NotImplementedError

    def verdict(self, context):
        """The check's reference.comparison.Verdict on the example (only when why_not is None)."""
        raise NotImplementedError

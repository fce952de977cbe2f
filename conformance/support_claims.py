"""Every "does not take" and "not implemented" the suite states, with a check that it still holds
on this TVM (PyTorch OpInfo checks its dtype claims the same way). A claim that no longer holds
fails conformance/test_support_claims.py, naming where it is made: update it there.

Claims that rest on a finding (findings/table.py's exclusions and known failures) are checked by
the finding's strict xfail in conformance/test_findings.py; the test here checks that each has one.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

HOLDS = None


@dataclass(frozen=True)
class SupportClaim:
    """`check()` is None while the claim holds, else what shows it no longer does; it raises
    CannotCheck where this machine cannot tell (no device, no package)."""

    name: str
    where: str
    claim: str
    check: Callable
    kernels: tuple | None = None  # the claim is about these kernels (None: any): it runs when they are selected
    targets: tuple | None = None


class CannotCheck(Exception):
    """This machine cannot check the claim (the reason is the message)."""


def nchwc_still_missing():
    from kernels.topi_kernels import nchwc_missing  # the very probe the kernel's availability uses

    return HOLDS if nchwc_missing() else "topi.nn.depthwise_conv2d_NCHWc builds a 1x1 case now"


def backward_has_no_dilation():
    from tvm import topi

    for name in ("depthwise_conv2d_backward_input_nhwc", "depthwise_conv2d_backward_weight_nhwc"):
        if "dilation" in inspect.signature(getattr(topi.nn, name)).parameters:
            return f"topi.nn.{name} takes a dilation now"
    return HOLDS


def mxnet_refuses_half(dtype: str):
    def check():
        import numpy as np

        from model.case import DepthwiseCase
        from model.example import seeded_normal
        from model.optional import missing_package
        from reference.mxnet_reference import mxnet_reference

        missing = missing_package("mxnet")
        if missing:
            raise CannotCheck(missing)
        case = DepthwiseCase(channels=2, height=3, width=3, kernel_h=2, kernel_w=2, dtype=dtype)
        try:
            out = mxnet_reference(case, *seeded_normal(case, 0))
        except Exception:
            return HOLDS
        return f"mxnet computed a {dtype} convolution (output {np.asarray(out).shape})"
    return check


def topi_transposed_has_no_dilation():
    from tvm import topi

    for rank, layout in ((1, "ncw"), (2, "nchw"), (3, "ncdhw")):
        name = f"group_conv{rank}d_transpose_{layout}"
        if "dilation" in inspect.signature(getattr(topi.nn, name)).parameters:
            return f"topi.nn.{name} takes a dilation now"
    return HOLDS


def mxnet_has_no_native_3d_deconvolution():
    import numpy as np

    from model.optional import missing_package

    missing = missing_package("mxnet")
    if missing:
        raise CannotCheck(missing)
    import mxnet as mx

    try:
        mx.nd.Deconvolution(mx.nd.array(np.ones((1, 1, 2, 2, 2)), dtype="float64"),
                            mx.nd.array(np.ones((1, 1, 2, 2, 2)), dtype="float64"), kernel=(2, 2, 2), num_filter=1,
                            no_bias=True).asnumpy()
    except Exception:
        return HOLDS
    return "mxnet computed a float64 3-D Deconvolution"


def relax_gradients_for_conv2d_only():
    import tvm

    members = [f"relax.nn.conv{r}d{t}" for r in (1, 2, 3) for t in ("", "_transpose")]
    registered = [op for op in members if tvm.ir.Op.get(op).get_attr("FPrimalGradient") is not None]
    return HOLDS if registered == ["relax.nn.conv2d"] else f"Relax registers gradients for {registered}"


def metal_has_no_float64():
    from targets.discovery import discover_targets

    metal = next(t for t in discover_targets() if t.name == "metal")
    if not metal.runnable:
        raise CannotCheck(f"needs a Metal device ({metal.why_unavailable or metal.why_not_runnable})")
    return HOLDS  # the Metal Shading Language has no 64-bit float type: nothing TVM can change


CLAIMS = (
    SupportClaim("topi_nchwc", "kernels/topi_kernels.py (topi_nchwc's `unavailable`), README's kernel table",
                 "topi.nn.depthwise_conv2d_NCHWc is not implemented in this TVM", nchwc_still_missing, kernels=("topi_nchwc",)),
    SupportClaim("backward_dilation", "kernels/backward.py (SPACE: max_dilation=1)",
                 "TOPI's depthwise backward kernels take no dilation", backward_has_no_dilation,
                 kernels=("topi_backward_input_nhwc", "topi_backward_weight_nhwc")),
    SupportClaim("mxnet_float16", "reference/registry.py (mxnet's dtypes)", "MXNet's CPU convolution does not "
                 "compute float16", mxnet_refuses_half("float16")),
    SupportClaim("mxnet_bfloat16", "reference/registry.py (mxnet's dtypes)", "MXNet's CPU convolution does not "
                 "compute bfloat16", mxnet_refuses_half("bfloat16")),
    SupportClaim("topi_transposed_dilation", "kernels/family_kernels.py (TOPI_FAMILY: max_transposed_dilation=1)",
                 "TOPI's transposed group convolutions take no dilation", topi_transposed_has_no_dilation,
                 kernels=("topi_conv1d_transpose", "topi_conv2d_transpose", "topi_conv3d_transpose")),
    SupportClaim("mxnet_3d_deconvolution", "reference/registry.py (mxnet's members)", "MXNet's CPU "
                 "Deconvolution has no native 3-D kernel (a float64 3-D Deconvolution fails)",
                 mxnet_has_no_native_3d_deconvolution),
    SupportClaim("relax_family_gradients", "kernels/relax_gradients.py (a member's row skips while its op has no "
                 "registered gradient)", "Relax's autodiff has a gradient for conv2d only among the family's ops",
                 relax_gradients_for_conv2d_only,
                 kernels=tuple(f"relax_backward_{which}_conv{r}d{t}" for which in ("input", "weight") for r in (1, 2, 3)
                               for t in ("", "_transpose") if (r, t) != (2, ""))),
    SupportClaim("metal_float64", "findings/table.py (Exclusion metal float64)", "Metal has no float64",
                 metal_has_no_float64, targets=("metal",)),
)

"""Relax pass pipelines a deployed module goes through before `tvm.compile`'s own.

Depends on tvm alone: the repro scripts embed this source and apply the same pipeline to
the module they carry.
"""
import numpy as np
import tvm

PIPELINES = ("default", "convert_layout", "constants", "decompose", "explicit")
PIPELINE_NOTES = {
    "default": "tvm.compile's own pipeline only",
    "convert_layout": "tvm.relax.transform.ConvertLayout to NHWC/OHWI (NCHW/OIHW where the op is NHWC already)",
    "constants": "weights and epilogue parameters bound as constants (BindParams), then FoldConstant",
    "decompose": "tvm.relax.transform.DecomposeOpsForInference (BatchNorm as arithmetic)",
    "explicit": "LegalizeOps, AnnotateTIROpPattern, FuseOps and FuseTIR applied by hand",
}


def apply_pipeline(mod, pipeline, data_layout, bound=None):
    """`mod` after `pipeline` (PIPELINES); `bound`: name -> array for the constants pipeline."""
    if pipeline == "convert_layout":
        desired = ["NCHW", "OIHW"] if data_layout == "NHWC" else ["NHWC", "OHWI"]
        return tvm.relax.transform.ConvertLayout({"relax.nn.conv2d": desired})(mod)
    if pipeline == "constants":
        # Each array in the shape main declares for it (a frontend's weight may be reshaped).
        shapes = {p.name: [int(d) for d in p.ty.shape] for p in mod["main"].params}
        values = {name: tvm.runtime.tensor(np.ascontiguousarray(a).reshape(shapes[name])) for name, a in bound.items()}
        mod = tvm.relax.transform.BindParams("main", values)(mod)
        return tvm.relax.transform.FoldConstant()(mod)
    if pipeline == "decompose":
        return tvm.relax.transform.DecomposeOpsForInference()(mod)
    if pipeline == "explicit":
        passes = [tvm.relax.transform.LegalizeOps(), tvm.relax.transform.AnnotateTIROpPattern(),
                  tvm.relax.transform.FuseOps(), tvm.relax.transform.FuseTIR()]
        return tvm.transform.Sequential(passes)(mod)
    if pipeline != "default":
        raise ValueError(f"unknown pipeline {pipeline!r}: one of {', '.join(PIPELINES)}")
    return mod

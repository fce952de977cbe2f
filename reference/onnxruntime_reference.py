"""onnxruntime as a reference: the case's block as an ONNX graph (reference/onnx_graph.py) run by
the CPU execution provider (MLAS's convolution kernels), in the case's dtype; a padding mode
other than zeros is a Pad node in front of the convolution."""
from __future__ import annotations

import functools

from reference.onnx_graph import family_arrays, family_model, least_opset, onnx_arrays, onnx_model

# onnxruntime's CPU Conv has float32 and float16 kernels only (NOT_IMPLEMENTED for float64;
# the ONNX spec gives Conv bfloat16 from opset 22, which the CPU provider does not implement).
ONNXRUNTIME_DTYPES = ("float32", "float16")


def is_block(case) -> bool:
    """A forward 2-D case is the block's graph (with its epilogue); any other member one Conv/ConvTranspose."""
    return case.rank == 2 and not case.transposed


@functools.lru_cache(maxsize=64)
def _session(case):
    """One inference session per case (shrinking replays a case many times), on one thread:
    the suite's convolutions are small."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only
    build = onnx_model if is_block(case) else family_model
    model = build(case, opset=max(13, least_opset(case)))
    return onnxruntime.InferenceSession(model.SerializeToString(), options,
                                        providers=["CPUExecutionProvider"])


def onnxruntime_reference(case, data, weight, **extras):
    """The case's block computed by onnxruntime (explicit pads, every array a graph input)."""
    if is_block(case):
        feeds = onnx_arrays(case, {"data": data, "weight": weight, **extras})
    else:
        feeds = family_arrays(case, data, weight, **extras)
    out = _session(case).run(None, feeds)[0]
    return case.from_canonical_output(out)

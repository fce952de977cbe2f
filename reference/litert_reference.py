"""LiteRT (ai-edge-litert, the TFLite interpreter) on a TFLite model's bytes: the reference of a
TFLite row. `reference_kernels=True` runs TFLite's reference op resolver (the kernels
reference/requantize.py is written from: the exact integer oracle must equal it bit for bit);
otherwise the builtin optimized kernels, without the XNNPACK delegate (they requantize with one
rounding where the reference kernels round twice: one step apart on a few drawn models)."""
from __future__ import annotations

import numpy as np


def litert_run(model: bytes, data: np.ndarray, reference_kernels: bool = True) -> np.ndarray:
    """The model's single output on `data` (its single input)."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    resolver = OpResolverType.BUILTIN_REF if reference_kernels else OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    interpreter = Interpreter(model_content=model, experimental_op_resolver_type=resolver)
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], data)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"]).copy()

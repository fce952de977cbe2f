"""Repro: an ONNX `Clip(0, 6)` in bfloat16 (opset 22, where Conv takes bfloat16 too), imported by
`tvm.relax.frontend.onnx.from_onnx`, does not compile for llvm: "Data type T.bfloat16 not
supported for isnan op". The same graph in float32 and float16 compiles and runs.

Needs numpy, onnx and tvm. Exit status 1: reproduced; 0: fixed.
"""
import sys

import ml_dtypes
import numpy as np
import onnx
import tvm
from onnx import TensorProto, helper, numpy_helper
from tvm.relax.frontend.onnx import from_onnx


def clip_model(elem_type: int, np_dtype) -> onnx.ModelProto:
    x = helper.make_tensor_value_info("x", elem_type, [1, 2, 2, 2])
    y = helper.make_tensor_value_info("y", elem_type, [1, 2, 2, 2])
    bounds = [numpy_helper.from_array(np.array(v, dtype=np_dtype), name) for name, v in (("lo", 0), ("hi", 6))]
    graph = helper.make_graph([helper.make_node("Clip", ["x", "lo", "hi"], ["y"])], "clip", [x], [y],
                              initializer=bounds)
    opsets = [helper.make_opsetid("", 22)]
    return helper.make_model(graph, opset_imports=opsets, ir_version=helper.find_min_ir_version_for(opsets))


def main() -> int:
    failed = []
    for name, elem_type, np_dtype in (("float32", TensorProto.FLOAT, np.float32),
                                      ("float16", TensorProto.FLOAT16, np.float16),
                                      ("bfloat16", TensorProto.BFLOAT16, ml_dtypes.bfloat16)):
        try:
            executable = tvm.compile(from_onnx(clip_model(elem_type, np_dtype)), target="llvm")
            x = np.array([-1, 0.5, 3, 7, -2, 6, 6.5, 2], dtype=np.float32).reshape(1, 2, 2, 2).astype(np_dtype)
            out = tvm.relax.VirtualMachine(executable, tvm.cpu())["main"](tvm.runtime.tensor(x)).numpy()
            ok = np.array_equal(out.astype(np.float32), np.clip(x.astype(np.float32), 0, 6))
            print(f"{name}: compiles, {'right' if ok else 'WRONG'}")
            if not ok:
                failed.append(name)
        except Exception as exc:
            print(f"{name}: {type(exc).__name__}: {str(exc).strip().splitlines()[0][:160]}")
            failed.append(name)
    if failed:
        print(f"REPRODUCED: ONNX Clip fails in {', '.join(failed)}")
        return 1
    print("NOT REPRODUCED: Clip compiles and clips in every dtype")
    return 0


if __name__ == "__main__":
    sys.exit(main())

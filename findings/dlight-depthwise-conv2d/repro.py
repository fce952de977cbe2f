"""tvm.compile of a valid Relax depthwise conv2d for a GPU target fails inside dlight's default
GPU rules, for two small shapes. Needs tvm only (no GPU: code generation for sm_80 / OpenCL).

Exit status 1: at least one failure reproduced. Found by dwconf
(findings/dlight-depthwise-conv2d.md).
"""
import sys

import tvm
from tvm import relax

# (N, C, H, W), M, (KH, KW): each a depthwise conv2d, groups = C, no padding, stride 1.
CASES = {
    "GEMV rule: `assert r_loops`": ((2, 2, 1, 1), 1, (1, 1)),
    "cross-thread reduction check": ((1, 2, 1, 2), 2, (1, 2)),
    "GEMV rule: `extent.value` of an extent left as FloorDiv (CUDA)": ((1, 2, 9, 2), 1, (1, 2)),
}


def depthwise(shape, multiplier, kernel):
    n, c, h, w = shape
    bb = relax.BlockBuilder()
    x = relax.Var("data", relax.TensorType(shape, "float32"))
    k = relax.Var("weight", relax.TensorType((c * multiplier, 1, *kernel), "float32"))
    with bb.function("main", [x, k]):
        with bb.dataflow():
            out = bb.emit_output(bb.emit(relax.op.nn.conv2d(x, k, groups=c)))
        bb.emit_func_output(out)
    return bb.get()


failed = 0
for target in ({"kind": "cuda", "arch": "sm_80"}, {"kind": "opencl"}):
    for name, (shape, multiplier, kernel) in CASES.items():
        try:
            tvm.compile(depthwise(shape, multiplier, kernel), target=tvm.target.Target(target))
            print(f"{target['kind']}: {name}: compiles")
        except Exception as exc:
            failed += 1
            lines = [l for l in str(exc).splitlines() if l.strip()]
            print(f"{target['kind']}: {name}: FAILS: {type(exc).__name__}: {lines[0][:160] if lines else ''}")
print(f"REPRODUCED: {failed} compiles failed" if failed else "NOT REPRODUCED: every case compiles")
sys.exit(1 if failed else 0)

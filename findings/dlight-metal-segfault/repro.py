"""Segfault: compiling a float16 Relax depthwise conv2d for Metal. Needs tvm only (no Mac:
Metal code generation runs anywhere). Run it in a child process; a segfault is the repro.
Found by dwconf (findings/dlight-metal-segfault.md).
"""
import tvm
from tvm import relax

# DepthwiseCase(multiplier=2, kernel_w=2, pad_right=5, dtype='float16'): 1x1 input, 1 channel.
bb = relax.BlockBuilder()
x = relax.Var("data", relax.TensorType((1, 1, 1, 1), "float16"))
w = relax.Var("weight", relax.TensorType((2, 1, 1, 2), "float16"))
with bb.function("main", [x, w]):
    with bb.dataflow():
        y = bb.emit(relax.op.nn.conv2d(x, w, padding=(0, 0, 0, 5), groups=1, out_dtype="float16"))
        out = bb.emit_output(y)
    bb.emit_func_output(out)
tvm.compile(bb.get(), target=tvm.target.Target({"kind": "metal"}))
print("compiled")

"""dlight's default CUDA schedule of a small Relax depthwise conv2d (groups = C) gives wrong
results: the reduction is split over threads (rfactor) into a per-thread "local" buffer, and the
stage that writes that buffer and the stage that reads it map threadIdx.y to the output's (N, C)
indices in opposite orders, so threads read partial sums they never wrote.

Needs numpy and tvm. Two checks:
- static, on any host (no GPU): schedule the module as tvm.compile does for CUDA and evaluate,
  for every threadIdx.y, which output element each of the two rfactor stages binds;
- numeric, where a CUDA device exists: run it and compare with numpy.
Exit status 1: reproduced. Found by dwconf (findings/dlight-gemv-rfactor-transposed.md).
"""
import sys

import numpy as np
import tvm
import tvm.sym
from tvm import relax, tirx
from tvm.s_tir import SBlockRealize, dlight

SHAPE, KERNEL = (2, 2, 1, 2), (1, 2)  # (N, C, H, W) and (KH, KW): groups = C, M = 1, no padding
TARGET = {"kind": "cuda", "arch": "sm_90"}


def depthwise():
    n, c, h, w = SHAPE
    bb = relax.BlockBuilder()
    x = relax.Var("data", relax.TensorType(SHAPE, "float32"))
    k = relax.Var("weight", relax.TensorType((c, 1, *KERNEL), "float32"))
    with bb.function("main", [x, k]):
        with bb.dataflow():
            out = bb.emit_output(bb.emit(relax.op.nn.conv2d(x, k, groups=c)))
        bb.emit_func_output(out)
    return bb.get()


def scheduled_conv(target):
    """The legalized conv2d PrimFunc after dlight's default GPU rules (tvm.compile's CUDA pipeline)."""
    mod = relax.transform.LegalizeOps()(depthwise())
    with target:
        mod = dlight.ApplyDefaultSchedule(dlight.gpu.Matmul(), dlight.gpu.GEMV(), dlight.gpu.Reduction(),
                                          dlight.gpu.GeneralReduction(), dlight.gpu.Fallback())(mod)
    return next(f for f in mod.functions.values() if isinstance(f, tirx.PrimFunc))


def walk(node, found: list, loops: dict):
    """Every SBlockRealize under `node`, in program order, with the loops around it ({var: thread tag
    or None}): TVM 0.27 has no Python TIR visitor, so the statement kinds are walked by hand."""
    if isinstance(node, tirx.For):
        tag = node.thread_binding.thread_tag if node.thread_binding is not None else None
        loops = {**loops, node.loop_var: tag}
    if isinstance(node, SBlockRealize):
        found.append((node, loops))
    for field in ("body", "block", "init", "then_case", "else_case"):
        child = getattr(node, field, None)
        if child is not None:
            walk(child, found, loops)
    for child in getattr(node, "seq", None) or ():
        walk(child, found, loops)
    return found


def rfactor_stage_maps(func) -> list:
    """For each block named *_rf_update (in program order): {threadIdx.y: (v0, v1, ...)}, the
    output element its spatial iterators bind, over the threads its predicate admits (every
    other loop at 0)."""
    maps = []
    for realize, loops in walk(func.body, [], {}):
        if not realize.block.name_hint.endswith("_rf_update"):
            continue
        spatial = [i for i, iv in enumerate(realize.block.iter_vars)
                   if iv.var.name.startswith("v") and iv.var.name[1:].isdigit()]
        mapping = {}
        for t in range(16):
            analyzer = tvm.sym.Analyzer()
            for var, tag in loops.items():
                analyzer.bind(var, tirx.const(t if tag == "threadIdx.y" else 0, var.ty.dtype))
            if not int(analyzer.simplify(realize.predicate)):
                continue
            mapping[t] = tuple(int(analyzer.simplify(realize.iter_values[i])) for i in spatial)
        maps.append(mapping)
    return maps


def static_check(target) -> bool:
    maps = rfactor_stage_maps(scheduled_conv(target))
    if len(maps) < 2:
        print(f"static: {len(maps)} rfactor stage(s); the pattern is not there (fixed?)")
        return False
    write, read = maps[0], maps[-1]
    wrong = {t: (write[t], read[t]) for t in write if t in read and write[t] != read[t]}
    for t, (w, r) in wrong.items():
        print(f"static: threadIdx.y={t} writes its partial sums for output (n, c) = {w} and reads them back "
              f"for {r}")
    return bool(wrong)


def numeric_check(target) -> bool | None:
    dev = tvm.cuda(0)
    if not (tvm.runtime.enabled("cuda") and dev.exist):
        print("numeric: no CUDA device here (static check only)")
        return None
    target = tvm.target.Target({"kind": "cuda", "arch": "sm_" + dev.compute_version.replace(".", "")})
    vm = relax.VirtualMachine(tvm.compile(depthwise(), target=target), dev)
    rng = np.random.default_rng(0)
    data = rng.standard_normal(SHAPE).astype("float32")
    weight = rng.standard_normal((SHAPE[1], 1, *KERNEL)).astype("float32")
    actual = vm["main"](tvm.runtime.tensor(data, dev), tvm.runtime.tensor(weight, dev)).numpy()
    expected = np.einsum("nchw,chw->nc", data.astype(np.float64), weight[:, 0].astype(np.float64))[:, :, None, None]
    wrong = np.argwhere(~np.isclose(actual, expected, rtol=1e-5, atol=1e-6))
    for index in wrong:
        print(f"numeric: output {tuple(index)}: TVM {actual[tuple(index)]:.7g}, float64 {expected[tuple(index)]:.7g}")
    return len(wrong) > 0


if __name__ == "__main__":
    target = tvm.target.Target(TARGET)
    static = static_check(target)
    numeric = numeric_check(target)
    reproduced = static or bool(numeric)
    print("REPRODUCED" if reproduced else "NOT REPRODUCED")
    sys.exit(1 if reproduced else 0)

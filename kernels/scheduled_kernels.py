"""Scheduled variants of the seed's compute: the transformations real deployments use,
where bugs live at tile edges. Tile sizes are drawn options, so Hypothesis explores (and
shrinks) sizes that do not divide the output."""
from __future__ import annotations

from hypothesis import strategies as st

from kernels.kernel import Kernel
from kernels.seed_te import depthwise_conv
from model.case import DTYPES
from model.space import CaseSpace

TILES = (1, 2, 3, 4, 5, 8, 16)


def cpu_schedule_options(case):
    """Tile sizes (not necessarily dividing OH, OW) and which transformations to apply."""
    return st.fixed_dictionaries({
        "tile_h": st.sampled_from(TILES), "tile_w": st.sampled_from(TILES),
        "vectorize": st.booleans(), "parallel": st.booleans(), "inline_padding": st.booleans(),
    })


def cpu_schedule(sch, case, target, tile_h, tile_w, vectorize, parallel, inline_padding):
    """The book's CPU recipe: inline the padding, tile the output plane, reduce inside the
    tile, vectorize the inner width, parallelize over images x channels."""
    if inline_padding and any(case.padding):
        sch.compute_inline(sch.get_sblock("PaddedX"))
    y = sch.get_sblock("Y")
    n, c, i, j, rkh, rkw = sch.get_loops(y)
    i_outer, i_inner = sch.split(i, factors=[None, tile_h])
    j_outer, j_inner = sch.split(j, factors=[None, tile_w])
    sch.reorder(n, c, i_outer, j_outer, rkh, rkw, i_inner, j_inner)
    if parallel:
        sch.parallel(sch.fuse(n, c))
    if vectorize:
        # Accumulate the tile in a local buffer and vectorize its write-back along W.
        write_back = sch.cache_write(y, 0, "local")
        sch.reverse_compute_at(write_back, j_outer)
        inner = sch.get_loops(write_back)[-1]
        # With tile_w == 1 the write-back has no loop of its own and `inner` is j_outer,
        # which TVM vectorizes wrongly: findings/vectorized-loop-local-buffer.md.
        if not sch.get(inner).same_as(sch.get(j_outer)):
            sch.vectorize(inner)


def gpu_schedule_options(case):
    return st.fixed_dictionaries({"threads": st.sampled_from((1, 32, 64, 100, 128, 256)),
                                  "inline_padding": st.booleans(), "shared_input": st.booleans()})


def gpu_schedule(sch, case, target, threads, inline_padding, shared_input):
    """A hand GPU schedule: one thread per output element, the reduction in the thread.

    With `shared_input`, one block per (image, output channel) first stages that channel's
    input plane in shared memory (padding inlined into the reads); otherwise the output is
    one flat, split loop and the padding stage is inlined or bound the same way."""
    if shared_input:
        _shared_input_tiles(sch, case, threads)
        return
    if any(case.padding):
        if inline_padding:
            sch.compute_inline(sch.get_sblock("PaddedX"))
        else:
            bind_flat(sch, sch.get_sblock("PaddedX"), 4, threads)
    bind_flat(sch, sch.get_sblock("Y"), 4, threads)


def _shared_input_tiles(sch, case, threads: int):
    if any(case.padding):
        sch.compute_inline(sch.get_sblock("PaddedX"))
    y = sch.get_sblock("Y")
    n, c, i, j, _, _ = sch.get_loops(y)
    block = sch.fuse(n, c)
    _, thread = sch.split(sch.fuse(i, j), factors=[None, threads])
    sch.bind(block, "blockIdx.x")
    sch.bind(thread, "threadIdx.x")
    staged = sch.cache_read(y, 0, "shared")
    sch.compute_at(staged, block)
    copy_loops = sch.get_loops(staged)[1:] or [sch.add_unit_loop(staged)]  # a 1x1 plane has none
    _, copy_thread = sch.split(sch.fuse(*copy_loops), factors=[None, threads])
    sch.bind(copy_thread, "threadIdx.x")


def bind_flat(sch, block, spatial: int, threads: int):
    """Fuse the block's first `spatial` loops into one, split it by `threads`, bind the parts
    to blockIdx.x / threadIdx.x (extents may be symbolic)."""
    loops = sch.get_loops(block)
    fused = sch.fuse(*loops[:spatial])
    bx, tx = sch.split(fused, factors=[None, threads])
    sch.bind(bx, "blockIdx.x")
    sch.bind(tx, "threadIdx.x")


SCHEDULED_KERNELS = (
    Kernel(name="seed_te_cpu_tiled", compute=depthwise_conv, space=CaseSpace(layouts=("NCHW",), dtypes=DTYPES),
           description="the seed's compute, tiled / vectorized / parallel with tvm.s_tir (CPU)",
           schedule=cpu_schedule, options=cpu_schedule_options, gpu=False),
    Kernel(name="seed_te_gpu_threads", compute=depthwise_conv, space=CaseSpace(layouts=("NCHW",), dtypes=DTYPES),
           description="the seed's compute, hand-bound to GPU blocks/threads, input optionally tiled in shared memory",
           schedule=gpu_schedule, options=gpu_schedule_options, cpu=False),
)

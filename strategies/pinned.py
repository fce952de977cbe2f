"""Examples every run checks first: the seed chapter's own case and the classic small ones."""
import dataclasses

from model.case import DepthwiseCase
from model.example import ConvExample, seeded_example
from strategies.budget import REAL_LAYER_TARGETS, nightly, share_of

# The seed chapter: ic, n, k, p, s = 256, 12, 3, 1, 1 (data from np.random.normal).
SEED_CHAPTER_CASE = DepthwiseCase(channels=256, height=12, width=12, kernel_h=3, kernel_w=3,
                                  pad_top=1, pad_left=1, pad_bottom=1, pad_right=1)

CLASSIC_CASES = {
    "seed_chapter": SEED_CHAPTER_CASE,
    "one_by_one": DepthwiseCase(),
    # TensorFlow's SAME padding for a 3x3 stride-2 MobileNet layer: asymmetric, more at the end.
    "mobilenet_same_stride2": DepthwiseCase(channels=8, height=8, width=8, kernel_h=3, kernel_w=3,
                                            stride_h=2, stride_w=2, pad_bottom=1, pad_right=1),
    "kernel_covers_padded_input": DepthwiseCase(channels=3, height=3, width=2, kernel_h=5, kernel_w=4,
                                                pad_top=1, pad_left=1, pad_bottom=1, pad_right=1),
    "stride_larger_than_kernel": DepthwiseCase(channels=2, height=11, width=7, kernel_h=2, kernel_w=1,
                                               stride_h=5, stride_w=3),
    "padding_larger_than_kernel": DepthwiseCase(channels=1, height=2, width=3, kernel_h=2, kernel_w=2,
                                                pad_top=3, pad_left=2, pad_bottom=0, pad_right=3),
    "multiplier_dilation": DepthwiseCase(batch=2, channels=3, multiplier=2, height=9, width=7,
                                         kernel_h=3, kernel_w=2, dilation_h=2, dilation_w=3,
                                         pad_top=2, pad_left=1, pad_bottom=2, pad_right=1),
}


# Depthwise layers of deployed models, by their published channels, kernel, stride, padding and
# multiplier, at an input size of the stage they sit in (a short clip for X3D): each row that takes
# the member checks each once. Channel counts past every lane width, kernels up to 31 taps.
REAL_LAYERS = {
    "mobilenet_v1_dw512": DepthwiseCase(channels=512, height=14, width=14, kernel_h=3, kernel_w=3, pad_top=1,
                                        pad_left=1, pad_bottom=1, pad_right=1),
    "mobilenet_v2_dw144_stride2": DepthwiseCase(channels=144, height=56, width=56, kernel_h=3, kernel_w=3, stride_h=2,
                                                stride_w=2, pad_top=1, pad_left=1, pad_bottom=1, pad_right=1),
    "mobilenet_v3_dw672_5x5_stride2": DepthwiseCase(channels=672, height=14, width=14, kernel_h=5, kernel_w=5,
                                                    stride_h=2, stride_w=2, pad_top=2, pad_left=2, pad_bottom=2,
                                                    pad_right=2),
    "efficientnet_b0_dw240_5x5_stride2": DepthwiseCase(channels=240, height=28, width=28, kernel_h=5, kernel_w=5,
                                                       stride_h=2, stride_w=2, pad_top=1, pad_left=1, pad_bottom=2,
                                                       pad_right=2),  # TF SAME: the odd pixel after
    "mnasnet_dw480_5x5": DepthwiseCase(channels=480, height=14, width=14, kernel_h=5, kernel_w=5, pad_top=2,
                                       pad_left=2, pad_bottom=2, pad_right=2),
    "convnext_t_dw192_7x7": DepthwiseCase(channels=192, height=28, width=28, kernel_h=7, kernel_w=7, pad_top=3,
                                          pad_left=3, pad_bottom=3, pad_right=3),
    "replknet31b_dw1024_31x31": DepthwiseCase(channels=1024, height=7, width=7, kernel_h=31, kernel_w=31,
                                              pad_top=15, pad_left=15, pad_bottom=15, pad_right=15),
    "conformer_s_conv1d144_k31": DepthwiseCase(channels=144, rank=1, width=100, kernel_w=31, pad_left=15,
                                               pad_right=15),
    "mamba_130m_causal_conv1d1536_k4": DepthwiseCase(channels=1536, rank=1, width=64, kernel_w=4, pad_left=3),
    "x3d_m_dw54_3x3x3": DepthwiseCase(channels=54, rank=3, depth=4, height=14, width=14, kernel_d=3, kernel_h=3,
                                      kernel_w=3, pad_front=1, pad_top=1, pad_left=1, pad_back=1, pad_bottom=1,
                                      pad_right=1),
    "fcn_upsample_x2_convtranspose21": DepthwiseCase(channels=21, transposed=True, height=16, width=16, kernel_h=4,
                                                     kernel_w=4, stride_h=2, stride_w=2, pad_top=1, pad_left=1,
                                                     pad_bottom=1, pad_right=1),
}


def pinned_examples(kernel, target=None) -> list[tuple[str, ConvExample]]:
    """(name, example) for the pinned cases a kernel supports on a target (the classic ones and
    the real models' layers), each with seeded normal data (seed 0, as the chapter) and the
    kernel's default options; channels-last kernels get the channels-last form; then the kernel's own (Kernel.pinned; integer cases with fraction bits 0:
    every value at an end of its range). Each picks the self-check of its position (ConvExample.pick).

    The classic cases probe values at the convolution's edges: kernels with a pinned sweep of
    their own over an op another kernel pins bare (Kernel.classic_pinned False) skip them, and
    so does a GPU target with no device here (a compile-only row checks no values; its drawn
    examples test the compilation). A target with a share of the drawn examples
    (Target.example_share) gets a like share of these, spread evenly; the real layers are checked
    on REAL_LAYER_TARGETS (and GPUs with a device); all of them everywhere in nightly."""
    examples = []
    classic = kernel.classic_pinned and (target is None or not target.gpu or target.runnable)
    real = (target is None or nightly() or target.examples_key in REAL_LAYER_TARGETS
            or (target.gpu and target.runnable))
    for name, case in {**CLASSIC_CASES, **(REAL_LAYERS if real else {})}.items() if classic else ():
        for candidate in (case, case.with_layout(case.other_layout)):
            if kernel.supports(candidate, target):
                options = tuple(sorted(kernel.default_options(candidate).items()))
                ex = seeded_example(candidate, 0, None, options, kernel.gradient is not None)
                examples.append((name, dataclasses.replace(ex, pick=len(examples))))
                break
    for name, case, options in kernel.pinned() if kernel.pinned is not None else ():
        if kernel.supports(case, target):
            ex = seeded_example(case, 0, 0 if case.is_integer else None, tuple(sorted(options.items())))
            examples.append((name, dataclasses.replace(ex, pick=len(examples))))
    return examples if target is None else share_of(examples, target.example_share)

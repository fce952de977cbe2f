"""One spatial axis of a depthwise convolution (`Axis`), the axes and layouts of each spatial rank,
the family's member names, and the output size of an axis, forward and transposed.

Depends on numpy at most (for `crop_transposed`): the repro scripts embed it as it is.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

SPATIAL = {1: "W", 2: "HW", 3: "DHW"}  # the spatial axes of each rank, outermost first
RANKS = tuple(SPATIAL)
LAYOUTS_BY_RANK = {rank: ("NC" + axes, "N" + axes + "C") for rank, axes in SPATIAL.items()}
LAYOUTS = LAYOUTS_BY_RANK[2]
ALL_LAYOUTS = tuple(layout for layouts in LAYOUTS_BY_RANK.values() for layout in layouts)


def member_name(rank: int, transposed: bool) -> str:
    """A member of the family by torch's and TVM's name: conv{rank}d, conv{rank}d_transpose."""
    return f"conv{rank}d" + ("_transpose" if transposed else "")


MEMBERS = tuple(member_name(rank, transposed) for rank in SPATIAL for transposed in (False, True))


def conv_out_size(n: int, k: int, pad_lo: int, pad_hi: int, stride: int, dilation: int = 1) -> int:
    """Output length of one spatial axis: (n + pad_lo + pad_hi - dil*(k-1) - 1) // s + 1.

    With symmetric padding and no dilation this is the seed's
    `conv_out_size = (n - k + 2p) // s + 1`.
    """
    return (n + pad_lo + pad_hi - dilation * (k - 1) - 1) // stride + 1


def transposed_out_size(n: int, k: int, pad_lo: int, pad_hi: int, stride: int, dilation: int = 1,
                        output_padding: int = 0) -> int:
    """Output length of one axis of a transposed convolution (torch's ConvTranspose, ONNX's
    ConvTranspose): (n - 1)*s + dil*(k-1) + 1 + output_padding - pad_lo - pad_hi."""
    return (n - 1) * stride + dilation * (k - 1) + 1 + output_padding - pad_lo - pad_hi


@dataclass(frozen=True)
class Axis:
    """One spatial axis of a case. The padding pair is (before, after); `output_padding` (a
    transposed case's) adds elements after the last one."""

    size: int = 1
    kernel: int = 1
    stride: int = 1
    pad_before: int = 0
    pad_after: int = 0
    dilation: int = 1
    output_padding: int = 0

    @property
    def dilated_kernel(self) -> int:
        return self.dilation * (self.kernel - 1) + 1

    def out_size(self, transposed: bool = False) -> int:
        if transposed:
            return transposed_out_size(self.size, self.kernel, self.pad_before, self.pad_after, self.stride,
                                       self.dilation, self.output_padding)
        return conv_out_size(self.size, self.kernel, self.pad_before, self.pad_after, self.stride, self.dilation)

    def terms(self, transposed: bool = False) -> int:
        """The most kernel taps summed into one output element along this axis: all of them
        forward; transposed, the taps t with t*dilation in one residue class mod the stride."""
        if not transposed:
            return self.kernel
        return -(-self.kernel // (self.stride // math.gcd(self.stride, self.dilation)))


NEUTRAL_AXIS = Axis()
AXIS_FIELDS = tuple(f.name for f in fields(Axis))
# The keyword of each Axis field on each spatial axis.
AXIS_KEYWORDS = {
    "D": dict(zip(AXIS_FIELDS, ("depth", "kernel_d", "stride_d", "pad_front", "pad_back", "dilation_d",
                                "output_padding_d"))),
    "H": dict(zip(AXIS_FIELDS, ("height", "kernel_h", "stride_h", "pad_top", "pad_bottom", "dilation_h",
                                "output_padding_h"))),
    "W": dict(zip(AXIS_FIELDS, ("width", "kernel_w", "stride_w", "pad_left", "pad_right", "dilation_w",
                                "output_padding_w"))),
}
KEYWORD_AXIS = {keyword: (letter, name) for letter, names in AXIS_KEYWORDS.items() for name, keyword in names.items()}


def crop_transposed(axes, full: np.ndarray) -> np.ndarray:
    """A transposed convolution's output from its uncropped one (`full`: the scatter, of length
    (n - 1)*s + dil*(k-1) + 1 on each of its last len(axes) dimensions): the output padding's
    zeros appended after it, then the padding pair cropped."""
    leading = full.ndim - len(axes)
    grown = np.pad(full, ((0, 0),) * leading + tuple((0, a.output_padding) for a in axes))
    crop = tuple(slice(a.pad_before, a.pad_before + a.out_size(transposed=True)) for a in axes)
    return grown[(Ellipsis, *crop)]

"""`DepthwiseCase`: the vocabulary every other part of dwconf speaks.

A case is one member of the depthwise family: spatial rank 1, 2 or 3, forward or transposed,
groups = C with multiplier M, one `Axis` record per spatial axis (size, kernel, stride, the
padding pair, dilation, output padding), layout, dtype, the block around it (epilogue) and the
padding mode. The forward 2-D case is the default instance. The input values are not part of a
case (see `ConvExample`); the axis, its sizes and the layouts of each rank are model/axis.py's.

Cases are built from axis-named keywords (`height=`, `kernel_w=`, `pad_front=`...), which is
also what `summary()` writes: a rank-1 case has the W axis only and a rank-3 case adds D in
front, so a case of lower rank reads as the higher-rank one with the extra axes at size 1
(the neutral Axis: every axis-named property of a missing axis returns its default).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import NamedTuple

from model.axis import (AXIS_FIELDS, AXIS_KEYWORDS, KEYWORD_AXIS, LAYOUTS_BY_RANK, NEUTRAL_AXIS, RANKS, SPATIAL,
                        Axis, member_name)
from model.epilogue import FAMILY_EPILOGUES, check_epilogue

# ---- dtypes ---------------------------------------------------------------------------
DTYPES = ("float32", "float64", "float16", "bfloat16")  # the float dtypes; bfloat16 arrays come from ml_dtypes
# Quantized inference: integer data and weights, sums accumulated (and returned) in int32.
INTEGER_DTYPES = ("int8", "uint8")
ALL_DTYPES = DTYPES + INTEGER_DTYPES
ACCUMULATOR = "int32"


# ---- padding modes ------------------------------------------------------------------------
class PaddingMode(NamedTuple):
    """What one border is called by each library that pads: numpy.pad's mode, F.pad's mode,
    torch.nn's padding module (prefix of {prefix}{rank}d), and ONNX Pad's mode with the first
    opset that has it (None: a Conv pads zeros itself)."""

    numpy: str
    torch: str
    torch_module: str
    onnx: tuple | None
    longest_pad: int  # pads may be at most the axis' size plus this (reflect: size - 1)


# What the padded border holds, by torch's names (Conv2d's padding_mode): zeros, the input
# mirrored about its edge pixel, the edge pixel repeated, or the input wrapped around.
PADDING_MODES = {
    "zeros": PaddingMode("constant", "constant", "ZeroPad", None, math.inf),
    "reflect": PaddingMode("reflect", "reflect", "ReflectionPad", ("reflect", 11), -1),
    "replicate": PaddingMode("edge", "replicate", "ReplicationPad", ("edge", 11), math.inf),
    "circular": PaddingMode("wrap", "circular", "CircularPad", ("wrap", 19), 0),
}

@dataclass(frozen=True, init=False)
class DepthwiseCase:
    """One depthwise convolution: output channel c*M + m convolves input channel c (forward),
    or scatters input channel c through weight (c, m) (transposed)."""

    batch: int = 1
    channels: int = 1
    multiplier: int = 1
    axes: tuple = (NEUTRAL_AXIS, NEUTRAL_AXIS)  # one Axis per spatial axis, outermost first
    transposed: bool = False
    layout: str = "NCHW"
    dtype: str = "float32"
    epilogue: str = ""  # the block around the convolution (model/epilogue.py); "": the bare op
    padding_mode: str = "zeros"  # PADDING_MODES

    def __init__(self, batch: int = 1, channels: int = 1, multiplier: int = 1, *, rank: int | None = None,
                 axes: tuple | None = None, transposed: bool = False, layout: str | None = None,
                 dtype: str = "float32", epilogue: str = "", padding_mode: str = "zeros", **axis_keywords):
        """`rank` (default 2, or that of `axes`), and each axis parameter by its keyword
        (AXIS_KEYWORDS), applied over `axes` when given."""
        if rank is None:
            rank = len(axes) if axes is not None else 2
        if rank not in SPATIAL:
            raise ValueError(f"rank must be one of {RANKS}, got {rank!r}")
        axes = tuple(axes) if axes is not None else (NEUTRAL_AXIS,) * rank
        if len(axes) != rank:
            raise ValueError(f"a rank-{rank} case has {rank} axes, got {len(axes)}")
        letters = SPATIAL[rank]
        changes = {letter: {} for letter in letters}
        for keyword, value in axis_keywords.items():
            if keyword not in KEYWORD_AXIS:
                raise TypeError(f"DepthwiseCase() got an unexpected keyword argument {keyword!r}")
            letter, name = KEYWORD_AXIS[keyword]
            if letter not in letters:
                if value == getattr(NEUTRAL_AXIS, name):
                    continue  # the neutral value of an axis the case does not have: rank lifting
                raise ValueError(f"{keyword} is not a parameter of a rank-{rank} case (axes {letters})")
            changes[letter][name] = value
        axes = tuple(replace(axis, **changes[letter]) if changes[letter] else axis
                     for axis, letter in zip(axes, letters))
        values = dict(batch=batch, channels=channels, multiplier=multiplier, axes=axes, transposed=transposed,
                      layout=LAYOUTS_BY_RANK[rank][0] if layout is None else layout, dtype=dtype,
                      epilogue=epilogue, padding_mode=padding_mode)
        for name, value in values.items():
            object.__setattr__(self, name, value)
        self._validate()

    def _validate(self):
        for name in ("batch", "channels", "multiplier"):
            self._check_int(name, getattr(self, name), 1)
        if not isinstance(self.transposed, bool):
            raise TypeError(f"transposed must be a bool, got {self.transposed!r}")
        for letter, axis in zip(self.letters, self.axes):
            if not isinstance(axis, Axis):
                raise TypeError(f"axes must be Axis records, got {axis!r}")
            for name in AXIS_FIELDS:
                least = 0 if name.startswith("pad") or name == "output_padding" else 1
                self._check_int(AXIS_KEYWORDS[letter][name], getattr(axis, name), least)
            if axis.output_padding and not self.transposed:
                raise ValueError(f"{AXIS_KEYWORDS[letter]['output_padding']} is a transposed case's, "
                                 f"got {axis.output_padding} on a forward one")
            if axis.output_padding >= max(axis.stride, axis.dilation):
                raise ValueError(f"{AXIS_KEYWORDS[letter]['output_padding']} must be smaller than the stride "
                                 f"or the dilation (PyTorch's and ONNX's rule), got {axis.output_padding} with "
                                 f"stride {axis.stride} and dilation {axis.dilation}")
        if self.layout not in LAYOUTS_BY_RANK[self.rank]:
            raise ValueError(f"a rank-{self.rank} case's layout is one of {LAYOUTS_BY_RANK[self.rank]}, "
                             f"got {self.layout!r}")
        if self.dtype not in ALL_DTYPES:
            raise ValueError(f"dtype must be one of {ALL_DTYPES}, got {self.dtype!r}")
        if self.epilogue:
            check_epilogue(self.epilogue)
            if self.is_integer:
                raise ValueError(f"integer cases have no epilogue, got {self.epilogue!r}")
            if (self.rank != 2 or self.transposed) and self.epilogue not in FAMILY_EPILOGUES:
                raise ValueError(f"the epilogues are forward 2-D blocks ({self.op_name} takes "
                                 f"{'/'.join(map(repr, FAMILY_EPILOGUES))}), got {self.epilogue!r}")
        if self.padding_mode not in PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {tuple(PADDING_MODES)}, got {self.padding_mode!r}")
        if self.transposed and self.padding_mode != "zeros":
            raise ValueError(f"a transposed convolution crops its output, it pads nothing: padding_mode "
                             f"{self.padding_mode!r}")
        extra = PADDING_MODES[self.padding_mode].longest_pad
        for letter, axis in zip(self.letters, self.axes):
            if max(axis.pad_before, axis.pad_after) > axis.size + extra:
                longest = {"D": "depth", "H": "height", "W": "width"}
                raise ValueError(f"{self.padding_mode} padding takes pads up to {axis.size + extra} "
                                 f"({longest[letter]}), got {self.padding}")
        if min(self.out_sizes) < 1:
            raise ValueError(f"empty output {'x'.join(map(str, self.out_sizes))}: {self.summary()}")

    @staticmethod
    def _check_int(name, value, least):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} must be an int, got {value!r}")
        if value < least:
            raise ValueError(f"{name} must be >= {least}, got {value}")

    # ---- the family ----------------------------------------------------------------------
    @property
    def rank(self) -> int:
        return len(self.axes)

    @property
    def letters(self) -> str:
        """The spatial axes' letters, outermost first ("W", "HW", "DHW")."""
        return SPATIAL[self.rank]

    @property
    def channels_last(self) -> bool:
        return self.layout.endswith("C")

    @property
    def op_name(self) -> str:
        """conv{rank}d or conv{rank}d_transpose: the operator's name in torch's and TVM's spelling."""
        return member_name(self.rank, self.transposed)

    def axis(self, letter: str) -> Axis:
        """The axis `letter` (D, H, W); the neutral Axis where the case has none."""
        return self.axes[self.letters.index(letter)] if letter in self.letters else NEUTRAL_AXIS

    # ---- derived geometry -------------------------------------------------------------
    @property
    def out_channels(self) -> int:
        return self.channels * self.multiplier

    @property
    def out_sizes(self) -> tuple[int, ...]:
        return tuple(axis.out_size(self.transposed) for axis in self.axes)

    @property
    def out_height(self) -> int:
        return self.axis("H").out_size(self.transposed)

    @property
    def out_width(self) -> int:
        return self.axis("W").out_size(self.transposed)

    @property
    def is_integer(self) -> bool:
        return self.dtype in INTEGER_DTYPES

    @property
    def out_dtype(self) -> str:
        """The output's dtype: the case's, or int32 (the accumulator) for integer cases."""
        return ACCUMULATOR if self.is_integer else self.dtype

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(axis.size for axis in self.axes)

    @property
    def kernel(self) -> tuple[int, ...]:
        return tuple(axis.kernel for axis in self.axes)

    @property
    def stride(self) -> tuple[int, ...]:
        return tuple(axis.stride for axis in self.axes)

    @property
    def dilation(self) -> tuple[int, ...]:
        return tuple(axis.dilation for axis in self.axes)

    @property
    def output_padding(self) -> tuple[int, ...]:
        return tuple(axis.output_padding for axis in self.axes)

    @property
    def pad_pairs(self) -> tuple[tuple[int, int], ...]:
        """(before, after) per spatial axis, outermost first (numpy.pad's order)."""
        return tuple((axis.pad_before, axis.pad_after) for axis in self.axes)

    @property
    def padding(self) -> tuple[int, ...]:
        """TVM/TOPI order: every axis' before, then every axis' after ((top, left, bottom, right) in 2-D)."""
        return tuple(axis.pad_before for axis in self.axes) + tuple(axis.pad_after for axis in self.axes)

    @property
    def torch_pad(self) -> tuple[int, ...]:
        """`torch.nn.functional.pad` order: last axis first, (left, right, top, bottom) in 2-D."""
        return tuple(p for axis in reversed(self.axes) for p in (axis.pad_before, axis.pad_after))

    @property
    def is_symmetric(self) -> bool:
        return all(axis.pad_before == axis.pad_after for axis in self.axes)

    @property
    def reduction_length(self) -> int:
        """The most products summed into one output element."""
        return math.prod(axis.terms(self.transposed) for axis in self.axes)

    # ---- shapes in the case's layout ------------------------------------------------------
    def _in_layout(self, channels: int, spatial: tuple) -> tuple:
        return (self.batch, *spatial, channels) if self.channels_last else (self.batch, channels, *spatial)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self._in_layout(self.channels, self.sizes)

    @property
    def weight_shape(self) -> tuple[int, ...]:
        """Channels-first cases use TOPI's (C, M, *K) (torch's ConvTranspose weight too);
        channels-last ones (*K, C, M) (TOPI's HWOI in 2-D)."""
        if self.channels_last:
            return (*self.kernel, self.channels, self.multiplier)
        return (self.channels, self.multiplier, *self.kernel)

    @property
    def weight_layout(self) -> str:
        """weight_shape's axes by letter: C, M and the spatial ones ("CMHW"; channels last "HWCM")."""
        return self.letters + "CM" if self.channels_last else "CM" + self.letters

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self._in_layout(self.out_channels, self.out_sizes)

    # ---- cost ---------------------------------------------------------------------------
    @property
    def flops(self) -> int:
        """2 * multiply-adds: forward, 2*C_out*prod(out)*prod(K) per image (the seed's count);
        transposed, every input element times every tap of its M filters."""
        spatial = self.sizes if self.transposed else self.out_sizes
        return 2 * self.out_channels * math.prod(spatial) * math.prod(self.kernel) * self.batch

    @property
    def dense_flops(self) -> int:
        """FLOPs of the dense convolution doing the same job (every input channel into every output)."""
        return self.flops * self.channels

    @property
    def work(self) -> int:
        """Multiply-adds plus elements touched: what a case costs to check."""
        elements = self.batch * self.channels * math.prod(self.sizes)
        if self.transposed:
            elements += self.batch * self.out_channels * math.prod(self.out_sizes)
        return self.flops // 2 + elements

    # ---- text ------------------------------------------------------------------------
    def keywords(self) -> dict:
        """The case as the keywords that rebuild it, in summary order: rank and direction,
        then each Axis field across the axes (sizes, kernels, strides, pads before, pads after,
        dilations, output paddings)."""
        values = dict(batch=self.batch, channels=self.channels, multiplier=self.multiplier, rank=self.rank,
                      transposed=self.transposed)
        for name in AXIS_FIELDS:
            if name != "output_padding" or self.transposed:
                for letter, axis in zip(self.letters, self.axes):
                    values[AXIS_KEYWORDS[letter][name]] = getattr(axis, name)
        return {**values, "layout": self.layout, "dtype": self.dtype, "epilogue": self.epilogue,
                "padding_mode": self.padding_mode}

    def summary(self) -> str:
        """One line of valid Python that rebuilds this case (defaults left out)."""
        defaults = {**DepthwiseCase(rank=self.rank, transposed=self.transposed).keywords(), "rank": 2,
                    "transposed": False}
        parts = [f"{name}={value!r}" for name, value in self.keywords().items() if value != defaults[name]]
        return f"DepthwiseCase({', '.join(parts)})"

    # ---- layout conversion (numpy arrays) ------------------------------------------------
    def to_canonical(self, data, weight):
        """Data channels-first (N, C, *S) and weight (C, M, *K), whatever the case's layout."""
        if not self.channels_last:
            return data, weight
        r = self.rank
        return data.transpose(0, r + 1, *range(1, r + 1)), weight.transpose(r, r + 1, *range(r))

    @property
    def other_layout(self) -> str:
        """The case's rank's other layout: channels last for channels first, and back."""
        first, last = LAYOUTS_BY_RANK[self.rank]
        return last if self.layout == first else first

    @property
    def canonical_layout(self) -> str:
        """The channels-first layout of the case's rank (NCW, NCHW, NCDHW)."""
        return LAYOUTS_BY_RANK[self.rank][0]

    def from_canonical(self, data, weight):
        """Channels-first data and (C, M, *K) weight rearranged into the case's layout."""
        if not self.channels_last:
            return data, weight
        r = self.rank
        return data.transpose(0, *range(2, r + 2), 1), weight.transpose(*range(2, r + 2), 0, 1)

    def to_canonical_output(self, out):
        """An output in the case's layout as channels first."""
        if not self.channels_last:
            return out
        return out.transpose(0, self.rank + 1, *range(1, self.rank + 1))

    def from_canonical_output(self, out):
        """A channels-first output array rearranged into the case's layout."""
        if not self.channels_last:
            return out
        return out.transpose(0, *range(2, self.rank + 2), 1)

    def to_dict(self) -> dict:
        return self.keywords()

    @classmethod
    def from_dict(cls, values: dict) -> "DepthwiseCase":
        return cls(**values)

    def with_layout(self, layout: str) -> "DepthwiseCase":
        return replace(self, layout=layout)

    def lifted(self) -> "DepthwiseCase":
        """The same convolution one rank up: a neutral axis (size 1, kernel 1) in front."""
        if self.rank == max(RANKS):
            raise ValueError(f"no rank above {self.rank}")
        position = LAYOUTS_BY_RANK[self.rank].index(self.layout)
        return replace(self, axes=(NEUTRAL_AXIS, *self.axes), layout=LAYOUTS_BY_RANK[self.rank + 1][position])


def _axis_property(keyword: str):
    letter, name = KEYWORD_AXIS[keyword]
    return property(lambda case: getattr(case.axis(letter), name),
                    doc=f"{name} of the {letter} axis (its neutral value where the case has none)")


for _keyword in KEYWORD_AXIS:
    setattr(DepthwiseCase, _keyword, _axis_property(_keyword))

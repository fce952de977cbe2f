"""`DepthwiseCase`: the vocabulary every other part of dwconf speaks.

A case holds every parameter that determines the generated code of a depthwise
convolution; the input values are not part of it (see `ConvExample`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from model.epilogue import check_epilogue

LAYOUTS = ("NCHW", "NHWC")
DTYPES = ("float32", "float64", "float16", "bfloat16")  # bfloat16 arrays come from ml_dtypes
# Quantized inference: integer data and weights, sums accumulated (and returned) in int32.
INTEGER_DTYPES = ("int8", "uint8")
ACCUMULATOR = "int32"
# What the padded border holds, by torch's names (Conv2d's padding_mode): zeros, the input
# mirrored about its edge pixel, the edge pixel repeated, or the input wrapped around. The
# numpy.pad mode of each; reflect needs each pad shorter than its axis, circular no longer.
PADDING_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def conv_out_size(n: int, k: int, pad_lo: int, pad_hi: int, stride: int, dilation: int = 1) -> int:
    """Output length of one spatial axis: (n + pad_lo + pad_hi - dil*(k-1) - 1) // s + 1.

    With symmetric padding and no dilation this is the seed's
    `conv_out_size = (n - k + 2p) // s + 1`.
    """
    return (n + pad_lo + pad_hi - dilation * (k - 1) - 1) // stride + 1


@dataclass(frozen=True)
class DepthwiseCase:
    """One depthwise convolution: output channel c*M + m convolves input channel c."""

    batch: int = 1
    channels: int = 1
    multiplier: int = 1
    height: int = 1
    width: int = 1
    kernel_h: int = 1
    kernel_w: int = 1
    stride_h: int = 1
    stride_w: int = 1
    pad_top: int = 0
    pad_left: int = 0
    pad_bottom: int = 0
    pad_right: int = 0
    dilation_h: int = 1
    dilation_w: int = 1
    layout: str = "NCHW"
    dtype: str = "float32"
    epilogue: str = ""  # the block around the convolution (model/epilogue.py); "": the bare op
    padding_mode: str = "zeros"  # PADDING_MODES

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type == "int" and (not isinstance(value, int) or isinstance(value, bool)):
                raise TypeError(f"{f.name} must be an int, got {value!r}")
        positive = ("batch", "channels", "multiplier", "height", "width", "kernel_h", "kernel_w",
                    "stride_h", "stride_w", "dilation_h", "dilation_w")
        for name in positive:
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        for name in ("pad_top", "pad_left", "pad_bottom", "pad_right"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}, got {self.layout!r}")
        if self.dtype not in DTYPES + INTEGER_DTYPES:
            raise ValueError(f"dtype must be one of {DTYPES + INTEGER_DTYPES}, got {self.dtype!r}")
        if self.epilogue:
            check_epilogue(self.epilogue)
            if self.is_integer:
                raise ValueError(f"integer cases have no epilogue, got {self.epilogue!r}")
        if self.padding_mode not in PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {tuple(PADDING_MODES)}, got {self.padding_mode!r}")
        if self.padding_mode in ("reflect", "circular"):
            longest = self.height - (self.padding_mode == "reflect"), self.width - (self.padding_mode == "reflect")
            if max(self.pad_top, self.pad_bottom) > longest[0] or max(self.pad_left, self.pad_right) > longest[1]:
                raise ValueError(f"{self.padding_mode} padding takes pads up to {longest[0]} (height) and "
                                 f"{longest[1]} (width), got {self.padding}")
        if self.out_height < 1 or self.out_width < 1:
            raise ValueError(f"empty output {self.out_height}x{self.out_width}: {self.summary()}")

    # ---- derived geometry -------------------------------------------------------------
    @property
    def out_channels(self) -> int:
        return self.channels * self.multiplier

    @property
    def out_height(self) -> int:
        return conv_out_size(self.height, self.kernel_h, self.pad_top, self.pad_bottom,
                             self.stride_h, self.dilation_h)

    @property
    def out_width(self) -> int:
        return conv_out_size(self.width, self.kernel_w, self.pad_left, self.pad_right,
                             self.stride_w, self.dilation_w)

    @property
    def is_integer(self) -> bool:
        return self.dtype in INTEGER_DTYPES

    @property
    def out_dtype(self) -> str:
        """The output's dtype: the case's, or int32 (the accumulator) for integer cases."""
        return ACCUMULATOR if self.is_integer else self.dtype

    @property
    def stride(self) -> tuple[int, int]:
        return (self.stride_h, self.stride_w)

    @property
    def dilation(self) -> tuple[int, int]:
        return (self.dilation_h, self.dilation_w)

    @property
    def padding(self) -> tuple[int, int, int, int]:
        """TVM/TOPI order: (top, left, bottom, right)."""
        return (self.pad_top, self.pad_left, self.pad_bottom, self.pad_right)

    @property
    def torch_pad(self) -> tuple[int, int, int, int]:
        """`torch.nn.functional.pad` order: last axis first, (left, right, top, bottom)."""
        return (self.pad_left, self.pad_right, self.pad_top, self.pad_bottom)

    @property
    def mxnet_pad_width(self) -> tuple[int, ...]:
        """`mx.nd.pad` pad_width for an NCHW tensor: (before, after) per axis."""
        return (0, 0, 0, 0, self.pad_top, self.pad_bottom, self.pad_left, self.pad_right)

    @property
    def is_symmetric(self) -> bool:
        return self.pad_top == self.pad_bottom and self.pad_left == self.pad_right

    @property
    def reduction_length(self) -> int:
        """Number of products summed into one output element."""
        return self.kernel_h * self.kernel_w

    # ---- shapes in the case's layout ------------------------------------------------------
    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        if self.layout == "NCHW":
            return (self.batch, self.channels, self.height, self.width)
        return (self.batch, self.height, self.width, self.channels)

    @property
    def weight_shape(self) -> tuple[int, int, int, int]:
        """NCHW cases use TOPI's (C, M, KH, KW); NHWC cases TOPI's HWOI, (KH, KW, C, M)."""
        if self.layout == "NCHW":
            return (self.channels, self.multiplier, self.kernel_h, self.kernel_w)
        return (self.kernel_h, self.kernel_w, self.channels, self.multiplier)

    @property
    def output_shape(self) -> tuple[int, int, int, int]:
        if self.layout == "NCHW":
            return (self.batch, self.out_channels, self.out_height, self.out_width)
        return (self.batch, self.out_height, self.out_width, self.out_channels)

    # ---- cost ---------------------------------------------------------------------------
    @property
    def flops(self) -> int:
        """The seed's depthwise count, 2*C_out*OH*OW*KH*KW per image, times the batch."""
        return 2 * self.out_channels * self.out_height * self.out_width * self.reduction_length * self.batch

    @property
    def dense_flops(self) -> int:
        """FLOPs of the dense convolution doing the same job: 2*C*OH*OW*KH*KW*C_out per image."""
        per_image = 2 * self.channels * self.out_height * self.out_width * self.reduction_length * self.out_channels
        return per_image * self.batch

    @property
    def work(self) -> int:
        """Multiply-adds plus elements touched: what a case costs to check."""
        elements = self.batch * self.channels * self.height * self.width
        return self.flops // 2 + elements

    # ---- text ------------------------------------------------------------------------
    def summary(self) -> str:
        """One line of valid Python that rebuilds this case (defaults left out)."""
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value != f.default:
                parts.append(f"{f.name}={value!r}")
        return f"DepthwiseCase({', '.join(parts)})"

    # ---- layout conversion (numpy arrays) ------------------------------------------------
    def to_canonical(self, data, weight):
        """Data as NCHW and weight as (C, M, KH, KW), whatever the case's layout."""
        if self.layout == "NCHW":
            return data, weight
        return data.transpose(0, 3, 1, 2), weight.transpose(2, 3, 0, 1)

    def from_canonical_output(self, out):
        """An NCHW output array rearranged into the case's layout."""
        if self.layout == "NCHW":
            return out
        return out.transpose(0, 2, 3, 1)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "DepthwiseCase":
        return cls(**values)

    def with_layout(self, layout: str) -> "DepthwiseCase":
        return DepthwiseCase(**{**asdict(self), "layout": layout})

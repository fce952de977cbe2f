"""`QuantizedDepthwise`: a depthwise convolution as a quantized TFLite graph holds it (NHWC data,
a (1, KH, KW, C * M) weight, SAME or VALID padding, a fused activation), with its quantization:
input and output scale and zero point, one weight scale per output channel (per-channel) or
one for all, and an int32 bias."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

PADDINGS = ("SAME", "VALID")
ACTIVATIONS = ("NONE", "RELU", "RELU6")
QUANTIZED_DTYPES = ("int8", "uint8")  # uint8: TFLite's older per-tensor form, with a weight zero point
QUANTIZED_RANGES = {"int8": (-128, 127), "uint8": (0, 255)}


@dataclass(frozen=True)
class QuantizedDepthwise:
    channels: int = 1
    multiplier: int = 1
    height: int = 3
    width: int = 3
    kernel_h: int = 3
    kernel_w: int = 3
    stride: tuple = (1, 1)
    dilation: tuple = (1, 1)
    padding: str = "SAME"
    activation: str = "NONE"
    batch: int = 1
    dtype: str = "int8"
    per_channel: bool = True
    input_scale: float = 0.05
    input_zero_point: int = 0
    weight_scales: tuple = (0.02,)  # one per output channel (per-channel), else one
    weight_zero_point: int = 0  # int8 weights: 0 (TFLite requires it); uint8: any
    output_scale: float = 0.1
    output_zero_point: int = 0
    bias: bool = True  # a drawn bias; False: zeros (a quantized TFLite depthwise convolution always has one)

    def __post_init__(self):
        if self.padding not in PADDINGS or self.activation not in ACTIVATIONS or self.dtype not in QUANTIZED_DTYPES:
            raise ValueError(f"padding in {PADDINGS}, activation in {ACTIVATIONS}, dtype in {QUANTIZED_DTYPES}")
        if len(self.weight_scales) != (self.channels * self.multiplier if self.per_channel else 1):
            raise ValueError("one weight scale per output channel (per-channel) or one (per-tensor)")
        if self.dtype == "int8" and self.weight_zero_point != 0:
            raise ValueError("int8 weights have zero point 0")
        if min(self.output_shape) < 1:
            raise ValueError(f"no output: {self.output_shape}")

    @property
    def input_shape(self) -> tuple:
        return self.batch, self.height, self.width, self.channels

    @property
    def weight_shape(self) -> tuple:
        return 1, self.kernel_h, self.kernel_w, self.channels * self.multiplier

    def _out(self, size: int, kernel: int, stride: int, dilation: int) -> int:
        effective = (kernel - 1) * dilation + 1
        return math.ceil(size / stride) if self.padding == "SAME" else math.ceil((size - effective + 1) / stride)

    @property
    def output_shape(self) -> tuple:
        return (self.batch, self._out(self.height, self.kernel_h, self.stride[0], self.dilation[0]),
                self._out(self.width, self.kernel_w, self.stride[1], self.dilation[1]), self.channels * self.multiplier)

    @property
    def pads(self) -> tuple:
        """(top, bottom, left, right): TFLite's SAME (the odd one after), or none."""
        if self.padding == "VALID":
            return 0, 0, 0, 0
        out = []
        for size, kernel, stride, dilation, o in zip((self.height, self.width), (self.kernel_h, self.kernel_w),
                                                     self.stride, self.dilation, self.output_shape[1:3]):
            total = max(0, (o - 1) * stride + (kernel - 1) * dilation + 1 - size)
            out += [total // 2, total - total // 2]
        return tuple(out)

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        """The case as a Python expression, defaults omitted."""
        changed = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if getattr(self, f.name) != f.default]
        return f"QuantizedDepthwise({', '.join(changed)})"

"""`QuantizedDepthwise`: a depthwise convolution as a quantized TFLite graph holds it (NHWC data,
a (1, KH, KW, C * M) weight, SAME or VALID padding, a fused activation), with its quantization:
input and output scale and zero point, one weight scale per output channel (per-channel) or
one for all, and an int32 bias."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from model.axis import conv_out_size
from model.padding import same_pads

PADDINGS = ("SAME", "VALID")
ACTIVATIONS = ("NONE", "RELU", "RELU6")
QUANTIZED_DTYPES = ("int8", "uint8")  # uint8: TFLite's older per-tensor form, with a weight zero point
QUANTIZED_RANGES = {"int8": (-128, 127), "uint8": (0, 255)}


def tflite_pads(size: int, kernel: int, stride: int, dilation: int, padding: str) -> tuple[int, int]:
    """One axis's (before, after) padding: TFLite's SAME is ONNX's SAME_UPPER (the odd one after)."""
    return same_pads(size, (kernel - 1) * dilation + 1, stride, upper=True) if padding == "SAME" else (0, 0)


def tflite_out_size(size: int, kernel: int, stride: int, dilation: int, padding: str) -> int:
    """One axis's output length under SAME or VALID padding (TFLite's ComputeOutSize)."""
    return conv_out_size(size, kernel, *tflite_pads(size, kernel, stride, dilation, padding), stride, dilation)


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

    def _axes(self):
        return zip((self.height, self.width), (self.kernel_h, self.kernel_w), self.stride, self.dilation)

    @property
    def output_shape(self) -> tuple:
        return (self.batch, *(tflite_out_size(*axis, self.padding) for axis in self._axes()),
                self.channels * self.multiplier)

    @property
    def pads(self) -> tuple:
        """(top, bottom, left, right)."""
        return tuple(p for axis in self._axes() for p in tflite_pads(*axis, self.padding))

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        """The case as a Python expression, defaults omitted."""
        changed = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if getattr(self, f.name) != f.default]
        return f"QuantizedDepthwise({', '.join(changed)})"

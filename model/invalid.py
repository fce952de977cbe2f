"""`InvalidConv`: a convolution TVM must refuse (PyTorch OpInfo's `error_inputs`).

It carries raw parameters, not a `DepthwiseCase` (which cannot even be built invalid): the
data shape (NCHW), the depthwise weight shape (C, M, KH, KW), stride, padding (top, left,
bottom, right), dilation, groups, both dtypes, and the one `defect` that makes it invalid.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from model.axis import conv_out_size

DEFECTS = {
    "empty_output": "the kernel is larger than the padded input: no output element",
    "zero_stride": "a stride of 0",
    "negative_stride": "a negative stride",
    "zero_dilation": "a dilation of 0",
    "negative_dilation": "a negative dilation",
    "negative_padding": "a negative padding",
    "weight_channels": "the weight's channels do not match the data's (depthwise (C, M, KH, KW) weight: "
                       "another C; grouped weight: another number of input channels per group)",
    "groups_not_dividing": "groups does not divide the channels",
    "mixed_dtypes": "data and weight of different dtypes",
    "output_shape": "a shape-generic kernel called with an output array of the wrong shape",
}


def out_size(n: int, k: int, pad_lo: int, pad_hi: int, stride: int, dilation: int):
    """Output length as the formula gives it (None where the stride is 0); may be <= 0."""
    return None if stride == 0 else conv_out_size(n, k, pad_lo, pad_hi, stride, dilation)


@dataclass(frozen=True)
class InvalidConv:
    data_shape: tuple = (1, 1, 4, 4)
    weight_shape: tuple = (1, 1, 2, 2)
    stride: tuple = (1, 1)
    padding: tuple = (0, 0, 0, 0)
    dilation: tuple = (1, 1)
    groups: int = 1
    data_dtype: str = "float32"
    weight_dtype: str = "float32"
    defect: str = "empty_output"

    @property
    def output_shape(self) -> tuple:
        """(N, C*M, OH, OW) as the formula gives it: sizes may be <= 0 or None (zero stride)."""
        n, c, h, w = self.data_shape
        _, m, kh, kw = self.weight_shape
        pt, pl, pb, pr = self.padding
        return (n, c * m, out_size(h, kh, pt, pb, self.stride[0], self.dilation[0]),
                out_size(w, kw, pl, pr, self.stride[1], self.dilation[1]))

    @property
    def grouped_weight_shape(self) -> tuple:
        """The weight as conv2d(groups) takes it, (C*M, C/groups, KH, KW); with the weight_channels
        defect its input channels per group are one more than the data has."""
        n, c, h, w = self.data_shape
        _, m, kh, kw = self.weight_shape
        per_group = max(c // max(self.groups, 1), 1) + (self.defect == "weight_channels")
        return (c * m, per_group, kh, kw)

    def summary(self) -> str:
        """One line of valid Python that rebuilds it (defaults left out)."""
        parts = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if getattr(self, f.name) != f.default]
        return f"InvalidConv({', '.join(parts)})"

    def to_dict(self) -> dict:
        """The fields, plus the grouped weight shape (what the repro scripts need)."""
        return {**asdict(self), "grouped_weight_shape": self.grouped_weight_shape}

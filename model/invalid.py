"""`InvalidConv`: a convolution TVM must refuse (PyTorch OpInfo's `error_inputs`).

It carries raw parameters, not a `DepthwiseCase` (which cannot even be built invalid): the
data shape (N, C, *spatial: NCW, NCHW or NCDHW), the depthwise weight shape (C, M, *kernel),
stride, padding (every axis's before, then every axis's after: (top, left, bottom, right) in
2-D), dilation, groups, both dtypes, for a transposed convolution its output padding, and the
one `defect` that makes it invalid. Any member of the family (model/axis.py MEMBERS).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from model.axis import conv_out_size, member_name, transposed_out_size

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
    "output_padding": "a transposed convolution's output padding not below max(stride, dilation), the "
                      "range PyTorch and ONNX allow (an output element no input reaches)",
}
TRANSPOSED_ONLY = ("output_padding",)  # defects only a transposed convolution can have
DILATION_DEFECTS = ("zero_dilation", "negative_dilation")


def out_size(n: int, k: int, pad_lo: int, pad_hi: int, stride: int, dilation: int, transposed: bool = False,
             output_padding: int = 0):
    """Output length as the formula gives it (None where a forward stride is 0); may be <= 0."""
    if transposed:
        return transposed_out_size(n, k, pad_lo, pad_hi, stride, dilation, output_padding)
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
    transposed: bool = False
    output_padding: tuple = ()  # a transposed convolution's, one per axis; () is zeros

    @property
    def rank(self) -> int:
        return len(self.data_shape) - 2

    @property
    def member(self) -> str:
        """conv1d ... conv3d_transpose (model/axis.py MEMBERS)."""
        return member_name(self.rank, self.transposed)

    @property
    def output_shape(self) -> tuple:
        """(N, C*M, *sizes) as the formula gives it: sizes may be <= 0 or None (zero stride)."""
        n, c, *sizes = self.data_shape
        _, m, *kernel = self.weight_shape
        befores, afters = self.padding[:self.rank], self.padding[self.rank:]
        out_pad = self.output_padding or (0,) * self.rank
        return (n, c * m, *(out_size(*axis, self.transposed, op) for axis, op in
                            zip(zip(sizes, kernel, befores, afters, self.stride, self.dilation), out_pad)))

    @property
    def grouped_weight_shape(self) -> tuple:
        """The weight as conv{r}d(groups) takes it, (C*M, C/groups, *K): with the weight_channels
        defect its input channels per group are one more than the data has. A transposed
        convolution's (C, C*M/groups, *K) is the depthwise weight itself (groups = C); with the
        groups defect its C is the data's."""
        n, c, *_ = self.data_shape
        _, m, *kernel = self.weight_shape
        if self.transposed:
            return (self.weight_shape[0] if self.defect == "weight_channels" else c, m, *kernel)
        per_group = max(c // max(self.groups, 1), 1) + (self.defect == "weight_channels")
        return (c * m, per_group, *kernel)

    def summary(self) -> str:
        """One line of valid Python that rebuilds it (defaults left out)."""
        parts = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if getattr(self, f.name) != f.default]
        return f"InvalidConv({', '.join(parts)})"

    def to_dict(self) -> dict:
        """The fields, plus the member and the grouped weight shape (what the repro scripts need)."""
        return {**asdict(self), "member": self.member, "grouped_weight_shape": self.grouped_weight_shape}

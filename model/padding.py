"""The padding forms frontends write: explicit pads, and the rules that derive them from the
shapes (ONNX's `auto_pad`, torch's `padding="same"`). A case always holds its pads; these say
which forms give them, so a frontend kernel draws only a form that means the case's padding."""
from __future__ import annotations

# ONNX Conv's auto_pad values (NOTSET: the explicit `pads` attribute).
AUTO_PADS = ("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID")
# Kernel options that name a padding form -> the form that holds whatever the pads. Any other
# value holds for some pads only (SAME: those the shape gives; Conv2d's numeric padding: the
# symmetric ones): an example with other pads or another shape may need another form.
PADDING_FORM_OPTIONS = {"auto_pad": "NOTSET", "padding": "module", "form": "pads"}


def shape_derived_padding(options: dict) -> str | None:
    """The option, as "name=value", whose padding form holds for this example's pads and shape
    only; or None."""
    for name, explicit in PADDING_FORM_OPTIONS.items():
        if options.get(name, explicit) != explicit:
            return f"{name}={options[name]}"
    return None


def same_pads(extent: int, dilated_kernel: int, stride: int, upper: bool) -> tuple[int, int]:
    """(before, after) padding of one axis under ONNX's SAME rule: the output is ceil(extent /
    stride) long; the padding that needs is split evenly, the odd one after (SAME_UPPER) or
    before (SAME_LOWER). torch's padding="same" (stride 1 only) is SAME_UPPER."""
    out = -(-extent // stride)
    total = max((out - 1) * stride + dilated_kernel - extent, 0)
    half = total // 2
    return (half, total - half) if upper else (total - half, half)


def same_padding(case, upper: bool) -> tuple[int, int, int, int]:
    """The case's geometry padded by the SAME rule: (top, left, bottom, right)."""
    top, bottom = same_pads(case.height, case.dilation_h * (case.kernel_h - 1) + 1, case.stride_h, upper)
    left, right = same_pads(case.width, case.dilation_w * (case.kernel_w - 1) + 1, case.stride_w, upper)
    return (top, left, bottom, right)


def auto_pads(case) -> tuple[str, ...]:
    """The ONNX auto_pad values that give exactly the case's padding (NOTSET always does; a
    border other than zeros is a Pad node's, so the Conv's own padding is NOTSET, all zeros)."""
    forms = ["NOTSET"]
    if case.padding_mode != "zeros":
        return tuple(forms)
    if case.padding == same_padding(case, upper=True):
        forms.append("SAME_UPPER")
    if case.padding == same_padding(case, upper=False):
        forms.append("SAME_LOWER")
    if case.padding == (0, 0, 0, 0):
        forms.append("VALID")
    return tuple(forms)


def torch_padding_forms(case) -> tuple[str, ...]:
    """How a torch.nn model can pad the case: an nn.ZeroPad2d in front ("module") always;
    Conv2d's own numeric padding when symmetric; padding="same" (stride 1, SAME_UPPER)."""
    forms = ["module"]
    if case.is_symmetric:
        forms.append("numeric")
    if case.stride == (1, 1) and case.padding == same_padding(case, upper=True):
        forms.append("same")
    return tuple(forms)


def transposed_same_pads(axis, upper: bool) -> tuple[int, int] | None:
    """(before, after) padding of one axis of a transposed convolution under ONNX ConvTranspose's
    SAME rule: the output is input * stride long; the padding that takes off the full output
    (with its output padding) is split evenly, the odd one after (SAME_UPPER) or before
    (SAME_LOWER). None where the output would have to grow (negative padding)."""
    total = axis.stride * (axis.size - 1) + axis.output_padding + axis.dilated_kernel - axis.size * axis.stride
    if total < 0:
        return None
    half = total // 2
    return (half, total - half) if upper else (total - half, half)


def family_auto_pads(case) -> tuple[str, ...]:
    """The auto_pad values of an ONNX Conv / ConvTranspose of any rank that give exactly the
    case's padding (NOTSET, the explicit pads, always)."""
    forms = ["NOTSET"]
    if case.padding_mode != "zeros":
        return tuple(forms)
    pads = [(a.pad_before, a.pad_after) for a in case.axes]
    for name, upper in (("SAME_UPPER", True), ("SAME_LOWER", False)):
        same = [transposed_same_pads(a, upper) if case.transposed else same_pads(a.size, a.dilated_kernel, a.stride, upper)
                for a in case.axes]
        if same == pads:
            forms.append(name)
    if not any(case.padding):
        forms.append("VALID")
    return tuple(forms)

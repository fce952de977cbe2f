"""Frontend-level bugs: a model that says something else than the case means, as a buggy
exporter writes it. Like the other mutants, each says the smallest case its bug shows on."""
from __future__ import annotations

import functools

from hypothesis import strategies as st

from findings.table import ONNX_FRONTEND, TORCH_FRONTEND
from kernels.kernel import Kernel
from kernels.onnx_import import arguments as onnx_arguments, onnx_imported, onnx_options
from kernels.torch_export import PADDINGS, arguments as torch_arguments, export_choice, export_options, torch_exported
from model.case import DepthwiseCase
from model.epilogue import BN_EPSILON
from model.space import CaseSpace


def _upper_lower_swapped(auto_pad: str) -> str:
    """SAME_UPPER written as SAME_LOWER and the other way round: the odd padding pixel on the wrong side."""
    return {"SAME_UPPER": "SAME_LOWER", "SAME_LOWER": "SAME_UPPER"}.get(auto_pad, auto_pad)


def _scale_in_reversed_channels(channels: int):
    """BatchNorm folded into a per-channel scale and shift, the scale's channels reversed."""
    import torch

    from kernels.torch_export import inference_batch_norm

    class ReversedScale(torch.nn.Module):
        def __init__(self):
            super().__init__()
            bn = inference_batch_norm(channels)
            self.weight, self.bias, self.running_mean, self.running_var = (
                bn.weight, bn.bias, bn.running_mean, bn.running_var)

        def forward(self, x):
            scale = self.weight / torch.sqrt(self.running_var + BN_EPSILON)
            shift = self.bias - self.running_mean * scale
            return x * scale.flip(0)[None, :, None, None] + shift[None, :, None, None]

    return ReversedScale()


def _reflect_repeating_the_edge(case):
    """A reflect border that mirrors about the edge pixel's outer side, repeating it (numpy's
    "symmetric"), written out as slices, flips and concatenations as a hand-made exporter would."""
    import torch

    class SymmetricPad2d(torch.nn.Module):
        def forward(self, x):
            for axis, (before, after) in ((3, (case.pad_left, case.pad_right)), (2, (case.pad_top, case.pad_bottom))):
                n = x.shape[axis]
                x = torch.cat([x.narrow(axis, 0, before).flip(axis), x,
                               x.narrow(axis, n - after, after).flip(axis)], dim=axis)
            return x

    return SymmetricPad2d()


def _border_module_options(case):
    """The border module always (the mutant is in it), parameters as inputs."""
    return st.just(export_choice(PADDINGS, "module", "inputs"))


FRONTEND_MUTANTS = (
    (Kernel(name="mutant_same_upper_lower_swapped", kind="relax",
            compute=functools.partial(onnx_imported, padding_rule=_upper_lower_swapped), options=onnx_options,
            arguments=onnx_arguments, space=CaseSpace(layouts=("NCHW",), same_padding=True), reaches=(ONNX_FRONTEND,),
            description="ONNX auto_pad SAME_UPPER written as SAME_LOWER (and SAME_LOWER as SAME_UPPER)"),
     DepthwiseCase(kernel_w=2, pad_right=1)),
    (Kernel(name="mutant_bn_folded_reversed", kind="relax",
            compute=functools.partial(torch_exported, batch_norm=_scale_in_reversed_channels), options=export_options,
            arguments=torch_arguments, space=CaseSpace(layouts=("NCHW",), epilogues=("bn",), max_channels=8),
            reaches=(TORCH_FRONTEND,),
            description="torch BatchNorm folded into scale and shift, the scale's channels reversed"),
     DepthwiseCase(channels=2, epilogue="bn")),
    (Kernel(name="mutant_reflect_repeats_edge", kind="relax",
            compute=functools.partial(torch_exported, border=_reflect_repeating_the_edge),
            options=_border_module_options, arguments=torch_arguments, reaches=(TORCH_FRONTEND,),
            # every case reflect-padded and small: each example and shrink step is an export (~1 s)
            space=CaseSpace(layouts=("NCHW",), padding_modes=("reflect",), max_channels=2, max_batch=1,
                            max_multiplier=1, max_dilation=1, max_kernel=3),
            description="torch reflect padding that repeats the edge pixel (numpy's 'symmetric')"),
     DepthwiseCase(height=2, pad_top=1, padding_mode="reflect")),
)

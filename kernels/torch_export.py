"""`torch_export`: the depthwise block as a `torch.nn` model (Conv2d(groups=C) with or without
bias, BatchNorm2d, ReLU / ReLU6, pointwise Conv2ds, a residual add: model/epilogue.py), exported
with `torch.export` and imported by TVM's PyTorch frontend (`from_exported_program`).

The case's padding mode (zeros, reflect, replicate, circular) is Conv2d's padding_mode, or the
border module in front. Drawn with the case: how the model pads (that module: nn.ZeroPad2d,
ReflectionPad2d, ReplicationPad2d, CircularPad2d; Conv2d's numeric padding; or padding="same":
model/padding.py), and whether the parameters stay function inputs (keep_params_as_input) or are
bound as constants before compiling.
"""
from __future__ import annotations

import collections
import dataclasses
import functools

import numpy as np
from hypothesis import strategies as st

from findings.table import TORCH_FRONTEND
from kernels.kernel import Kernel
from kernels.pipelines import apply_pipeline
from model.case import DTYPES, PADDING_MODES, DepthwiseCase
from model.epilogue import BN_EPSILON, EPILOGUES, MOBILENET_V2, parameter_shapes, steps
from model.example import BOUND_INPUTS, INPUT_VALUES, seeded_arrays
from model.optional import missing_package
from model.padding import torch_padding_forms
from model.space import CaseSpace

PARAMS = ("inputs", "constants")  # main's parameters (keep_params_as_input), or bound as constants
PADDINGS = ("module", "numeric", "same")
DRAWN_PADDINGS = ("same", "numeric", "module")  # the order drawn in: "same" where it applies
# The model's parameters in the order torch.export lists them (module order), by epilogue array
# name: what main takes after the user inputs (data, residual) with keep_params_as_input.
PARAMETER_ORDER = ("expand_weight", "weight", "bias", "bn_gamma", "bn_beta", "bn_mean", "bn_var", "project_weight")
USER_INPUTS = ("data", "residual")
# The torch.nn module that pads in front of the convolution ("module" padding), by padding mode.
PAD_MODULES = {"zeros": "ZeroPad2d", "reflect": "ReflectionPad2d", "replicate": "ReplicationPad2d",
               "circular": "CircularPad2d"}
TORCH_DTYPES = tuple(d for d in DTYPES if d != "float64")


def torch_shapes(case) -> dict[str, tuple]:
    """name -> the shape the model's tensor has (NCHW; conv weights (out, in/groups, KH, KW))."""
    c, cm = case.channels, case.out_channels
    return {"weight": (cm, 1, case.kernel_h, case.kernel_w), "expand_weight": (c, c, 1, 1),
            "project_weight": (c, cm, 1, 1)}


def block_module(case, padding: str, batch_norm=None, border=None):
    """The case's block as a torch.nn.Module in the case's dtype (its values are the defaults:
    every one is an input of the imported module). `batch_norm(channels)`: the BN layer
    (default BatchNorm2d with its running statistics as parameters; a mutant's otherwise);
    `border(case)`: the module that pads in front ("module" padding; a mutant's otherwise)."""
    import torch

    parts = steps(case.epilogue)
    conv_padding = {"module": 0, "numeric": (case.pad_top, case.pad_left), "same": "same"}[padding]
    layers = []
    if "expand" in parts:
        layers.append(("expand", torch.nn.Conv2d(case.channels, case.channels, 1, bias=False)))
    if padding == "module" and any(case.padding):
        pad = border(case) if border else getattr(torch.nn, PAD_MODULES[case.padding_mode])(case.torch_pad)
        layers.append(("pad", pad))
    layers.append(("conv", torch.nn.Conv2d(case.channels, case.out_channels, (case.kernel_h, case.kernel_w),
                                           stride=case.stride, padding=conv_padding, dilation=case.dilation,
                                           groups=case.channels, bias="bias" in parts,
                                           padding_mode="zeros" if padding == "module" else case.padding_mode)))
    if "bn" in parts:
        layers.append(("bn", (batch_norm or inference_batch_norm)(case.out_channels)))
    if "relu" in parts:
        layers.append(("relu", torch.nn.ReLU()))
    if "relu6" in parts:
        layers.append(("relu6", torch.nn.ReLU6()))
    if "project" in parts:
        layers.append(("project", torch.nn.Conv2d(case.out_channels, case.channels, 1, bias=False)))
    body = torch.nn.Sequential(collections.OrderedDict(layers))
    return block_class()(body, "residual" in parts).to(getattr(torch, case.dtype)).eval()


def inference_batch_norm(channels: int):
    """BatchNorm2d whose running statistics are parameters, not buffers: see torch_exported."""
    import torch

    bn = torch.nn.BatchNorm2d(channels, eps=BN_EPSILON)
    for name in ("running_mean", "running_var"):
        setattr(bn, name, torch.nn.Parameter(getattr(bn, name).clone(), requires_grad=False))
    return bn


@functools.lru_cache(maxsize=1)
def block_class():
    """The torch.nn.Module of a block: body(x), plus the residual input where it has one
    (defined on first use: torch is optional)."""
    import torch

    class Block(torch.nn.Module):
        def __init__(self, body, residual: bool):
            super().__init__()
            self.body = body
            self.residual = residual

        def forward(self, data, residual=None):  # the frontend names main's inputs after these
            y = self.body(data)
            return y + residual if self.residual else y

    return Block


# What TVM's PyTorch frontend names main's parameters (the model's attribute paths) -> the
# example's array names, which main takes them as (the repro binds and passes them by name).
FRONTEND_NAMES = {"data": "data", "residual": "residual", "p_body_expand_weight": "expand_weight",
                  "p_body_conv_weight": "weight", "p_body_conv_bias": "bias", "p_body_bn_weight": "bn_gamma",
                  "p_body_bn_bias": "bn_beta", "p_body_bn_running_mean": "bn_mean", "p_body_bn_running_var": "bn_var",
                  "p_body_project_weight": "project_weight"}


def torch_exported(case, padding: str = "module", params: str = "inputs", constants=None, batch_norm=None,
                   border=None):
    """The module TVM's PyTorch frontend makes of the exported block (keep_params_as_input), its
    parameters renamed after the example's arrays. BatchNorm's running statistics are made
    parameters too (as buffers the frontend bakes them in as constants, and a module with
    constants could not be printed for a repro: findings/tvm-ffi-abi-mismatch.md). `params`
    and `constants` take effect in `prepare`, which binds every parameter for "constants"."""
    import torch
    import tvm
    from tvm import relax
    from tvm.relax.frontend.torch import from_exported_program

    model = block_module(case, padding, batch_norm, border)
    dtype = getattr(torch, case.dtype)
    example = [torch.zeros(case.input_shape, dtype=dtype)]
    if "residual" in steps(case.epilogue):
        example.append(torch.zeros(parameter_shapes(case)["residual"], dtype=dtype))
    program = torch.export.export(model, tuple(example))
    main = from_exported_program(program, keep_params_as_input=True, unwrap_unit_return_tuple=True)["main"]
    main = main.without_attr("params")  # the values the importer recorded: inputs here
    renamed = [relax.Var(FRONTEND_NAMES[p.name], p.ty) for p in main.params]
    body = main.bind_params(dict(zip(main.params, renamed)))
    return tvm.IRModule({"main": relax.Function(renamed, body.body, body.ret_ty, body.is_pure, body.attrs)})


def prepare(mod, case, options: dict):
    """With the parameters as constants: every one bound (BindParams + FoldConstant,
    kernels/pipelines.py), its values the example's, rebuilt from the seed the option carries."""
    if options.get(BOUND_INPUTS) is None:
        return mod
    _, weight, extras = seeded_arrays(case, *options[BOUND_INPUTS])
    bound = {name: a for name, a in {"weight": weight, **extras}.items() if name not in USER_INPUTS}
    return apply_pipeline(mod, "constants", "NCHW", bound)


def arguments(ex) -> dict:
    """What main takes: the user inputs, then (parameters as inputs) the parameters in module order."""
    arrays, shapes = ex.arrays, torch_shapes(ex.case)
    names = USER_INPUTS + (PARAMETER_ORDER if dict(ex.options).get(BOUND_INPUTS) is None else ())
    return {name: np.reshape(arrays[name], shapes.get(name, np.shape(arrays[name]))) for name in names
            if name in arrays}


def export_options(case) -> st.SearchStrategy[dict]:
    """How the model pads (a form that does not give the case's padding falls back to the
    border module) and whether its parameters stay inputs; fixed-size choices whatever the
    case, so shrinking the case leaves them in place."""
    return st.builds(functools.partial(export_choice, torch_padding_forms(case)), st.sampled_from(DRAWN_PADDINGS),
                     st.sampled_from(PARAMS))


def export_choice(forms, padding: str, params: str) -> dict:
    """The options of one choice: `padding` where it is among `forms` (else the border module), `params`."""
    return {"padding": padding if padding in forms else "module", "params": params,
            BOUND_INPUTS: INPUT_VALUES if params == "constants" else None}


def pinned_models() -> list[tuple[str, object, dict]]:
    """Examples every run checks: padding="same" (stride 1, the odd pixel after), Conv2d's own
    padding through MobileNetV2's block with every parameter bound, a bare bfloat16 convolution,
    and each padding mode other than zeros."""
    same = DepthwiseCase(batch=2, channels=3, multiplier=2, height=6, width=5, kernel_h=4, kernel_w=3,
                         pad_top=1, pad_left=1, pad_bottom=2, pad_right=1)
    numeric = DepthwiseCase(channels=4, height=6, width=7, kernel_h=3, kernel_w=3, stride_h=2, stride_w=2,
                            pad_top=1, pad_left=1, pad_bottom=1, pad_right=1, epilogue=MOBILENET_V2)
    return [("same_bias_relu", dataclasses.replace(same, epilogue="bias+relu"),
             export_choice(PADDINGS, "same", "inputs")),
            ("numeric_mobilenet_constants", numeric, export_choice(PADDINGS, "numeric", "constants")),
            ("bfloat16", dataclasses.replace(same, dtype="bfloat16"), export_choice(PADDINGS, "module", "inputs")),
            # every padding mode, each in another form: the border module, Conv2d's own, "same"
            ("reflect_module", dataclasses.replace(same, padding_mode="reflect"),
             export_choice(PADDINGS, "module", "inputs")),
            ("replicate_numeric", dataclasses.replace(numeric, epilogue="", padding_mode="replicate"),
             export_choice(PADDINGS, "numeric", "inputs")),
            ("circular_same", dataclasses.replace(same, padding_mode="circular"),
             export_choice(PADDINGS, "same", "inputs"))]


def _torch_frontend_missing() -> str | None:
    return missing_package("torch")


TORCH_EXPORT = Kernel(
    name="torch_export", compute=torch_exported, kind="relax", options=export_options, arguments=arguments,
    prepare=prepare, pinned=pinned_models, classic_pinned=False,
    unavailable=_torch_frontend_missing, reaches=(TORCH_FRONTEND,),
    option_classes={"padding": PADDINGS, "params": PARAMS},
    # float64 is not drawn: the frontend imports every Conv2d as float32 (findings/torch-frontend-conv-float32.md).
    space=CaseSpace(layouts=("NCHW",), dtypes=TORCH_DTYPES, epilogues=EPILOGUES, same_padding=True, max_channels=8,
                    padding_modes=tuple(PADDING_MODES)),
    description="torch.nn Conv2d(groups=C) with bias, BatchNorm2d, ReLU/ReLU6, residual "
                f"({MOBILENET_V2} among them) via torch.export and tvm.relax.frontend.torch: ZeroPad2d, numeric "
                "or 'same' padding, parameters as inputs or constants, float32/float16/bfloat16 (float64: a finding)",
    example_share=0.15)

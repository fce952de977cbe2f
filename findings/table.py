"""The one table of "not here, and why": findings, the exclusions they justify, and the
failures the suite knows about. Data only; targets/ applies the exclusions, conformance/
matches the known failures, and conformance/test_findings.py checks each finding still holds.

- `Finding`: what upstream got wrong, written up in findings/<name>.md (with a repro).
- `Exclusion`: dtypes a kind of target does not take (for some kernel kinds), with the finding
  or the plain fact behind it; `when`, a predicate over the llvm mcpu's features, limits it to
  the targets whose generated code the finding is about.
- `KnownFailure`: a failure on named targets whose error text matches, of any kernel that reached
  the upstream code the finding is about (`reached`: the Relax ops of its module, a TIR function's
  vectorized loops, the importers it declares): a user's kernel built from the same pieces
  inherits it under any name. It is counted as "known" instead of failing its row, and a run
  warns when one matched nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Finding:
    """An upstream problem dwconf found: findings/<name>.md, and findings/<name>/repro.py where it has one."""

    name: str

    @property
    def path(self) -> str:
        return f"findings/{self.name}.md"


C_CODEGEN = Finding("c-target-codegen")
AVX512_BF16 = Finding("llvm-avx512-bfloat16")
DLIGHT = Finding("dlight-depthwise-conv2d")
VECTORIZED_LOCAL_BUFFER = Finding("vectorized-loop-local-buffer")
SEED_CHAPTER_PADDING = Finding("seed-chapter-padding")
TOPI_UNCHECKED = Finding("topi-depthwise-accepts-invalid")
RELAX_UNCHECKED = Finding("relax-conv2d-accepts-invalid")
DLIGHT_RFACTOR = Finding("dlight-gemv-rfactor-transposed")
SPATIAL_AXIS_ORDER = Finding("topi-conv-spatial-axis-order")
OUT_LAYOUT = Finding("relax-conv2d-out-layout")
C_CONSTANTS = Finding("c-codegen-float-constants")
TORCH_CONV_FLOAT32 = Finding("torch-frontend-conv-float32")
ONNX_CLIP_BFLOAT16 = Finding("onnx-clip-bfloat16-isnan")
BATCH_NORM_FLOAT16 = Finding("relax-batch-norm-float16")
CONV_TRANSPOSE_OUTPUT_PADDING = Finding("relax-conv-transpose-output-padding")
ONNX_OUTPUT_SHAPE = Finding("onnx-convtranspose-output-shape")
TORCH_CONV_TRANSPOSE_3D = Finding("torch-frontend-conv-transpose3d")
TRANSPOSE_UNCHECKED = Finding("conv-transpose-accepts-invalid")
GRADIENT_DILATION = Finding("relax-conv2d-gradient-dilation")
CONV_TRANSPOSE_CHANNELS_LAST = Finding("relax-conv-transpose-channels-last")
# TVM's TFLite importer on quantized depthwise convolutions (reference/requantize.py's oracle)
TFLITE_ROUNDING = Finding("tflite-quantized-rounding")
TFLITE_SINGLE_CHANNEL = Finding("tflite-per-channel-single-channel")
SYMBOLIC_EMPTY_OUTPUT = Finding("relax-symbolic-empty-output")
# References' bugs: worked around in reference/ (torch_reference.py, gradients.py)
TORCH_ONEDNN_1X1 = Finding("torch-onednn-1x1-backward-weights")
TORCH_AVX512_STRIDES = Finding("torch-onednn-avx512-size1-strides")
TORCH_AMX_BFLOAT16 = Finding("torch-onednn-amx-bfloat16")
MXNET_DECONVOLUTION = Finding("mxnet-deconvolution-float64-dilation")
# Packaging: the lock pins what works (requirements-core.in)
TVM_FFI_ABI = Finding("tvm-ffi-abi-mismatch")
FINDINGS = (C_CODEGEN, AVX512_BF16, DLIGHT, VECTORIZED_LOCAL_BUFFER, SEED_CHAPTER_PADDING,
            TOPI_UNCHECKED, RELAX_UNCHECKED, DLIGHT_RFACTOR, SPATIAL_AXIS_ORDER, OUT_LAYOUT, C_CONSTANTS,
            TORCH_CONV_FLOAT32, ONNX_CLIP_BFLOAT16, BATCH_NORM_FLOAT16, TORCH_ONEDNN_1X1, TORCH_AVX512_STRIDES,
            TORCH_AMX_BFLOAT16, TVM_FFI_ABI, CONV_TRANSPOSE_OUTPUT_PADDING, ONNX_OUTPUT_SHAPE,
            TORCH_CONV_TRANSPOSE_3D, TRANSPOSE_UNCHECKED, MXNET_DECONVOLUTION, GRADIENT_DILATION,
            CONV_TRANSPOSE_CHANNELS_LAST, TFLITE_ROUNDING, TFLITE_SINGLE_CHANNEL, SYMBOLIC_EMPTY_OUTPUT)

@dataclass(frozen=True)
class Exclusion:
    """`target_kind` targets do not take `dtypes` (for kernels of `kernel_kinds`; None: all)."""

    target_kind: str
    dtypes: tuple
    why: str
    finding: Finding | None = None  # None: a plain fact, not an upstream problem
    kernel_kinds: tuple | None = None
    when: Callable[[frozenset], bool] | None = None  # over the llvm mcpu's features; None: always

    @property
    def reason(self) -> str:
        return f"{self.why} ({self.finding.path})" if self.finding else self.why

    def applies(self, target_kind: str, kernel_kind: str, mcpu_features: frozenset) -> bool:
        return (target_kind == self.target_kind
                and (self.kernel_kinds is None or kernel_kind in self.kernel_kinds)
                and (self.when is None or self.when(mcpu_features)))


def prefers_256_bit_avx512(features: frozenset) -> bool:
    """The mcpus findings/llvm-avx512-bfloat16.md is about: AVX-512 with LLVM's prefer-256-bit
    tuning. Of the measured mcpus (AVX512_BF16_MEASURED) exactly those corrupt; with that one
    feature TVM and LLVM emit for znver5 the very IR they emit for skylake-avx512."""
    return {"avx512f", "prefer-256-bit"} <= features


# findings/llvm-avx512-bfloat16.md, measured with its repro: mcpu -> the heap was corrupted.
AVX512_BF16_MEASURED = {"skylake-avx512": True, "sapphirerapids": True, "emeraldrapids": True,
                        "znver5": False, "x86-64": False}

EXCLUSIONS = (
    Exclusion("metal", ("float64",), "Metal Shading Language has no 64-bit float"),
    Exclusion("c", ("float16", "bfloat16"), "TVM's C code generator emits code gcc rejects", C_CODEGEN),
    Exclusion("llvm", ("bfloat16",), "bfloat16 kernels built for an AVX-512 mcpu with LLVM's prefer-256-bit "
              "tuning corrupt the heap", AVX512_BF16, when=prefers_256_bit_avx512),
    # A wrong result, not an error: Relax graphs carry constants (BatchNorm's epsilon), TE kernels only 0.
    Exclusion("c", ("float64",), "TVM's C code generator rounds float64 constants to 7 significant digits",
              C_CONSTANTS, kernel_kinds=("relax",)),
)


@dataclass(frozen=True)
class LayoutExclusion:
    """Layout strings kernels do not draw (those `excluded` holds for), because of `finding`."""

    finding: Finding
    why: str
    excluded: Callable[[str], bool]

    @property
    def reason(self) -> str:
        return f"{self.why} ({self.finding.path})"


LAYOUT_EXCLUSIONS = (
    # A wrong result, not an error: no message to match, so these layouts are not drawn at all;
    # conformance/test_findings.py checks the bug still holds (strict xfail).
    LayoutExclusion(SPATIAL_AXIS_ORDER, "W before H: TOPI's conv takes the spatial axes in layout order, so "
                    "(H, W) strides, padding, dilation and kernel extents land on (W, H)",
                    lambda layout: "W" in layout and "H" in layout and layout.index("W") < layout.index("H")),
)


@dataclass(frozen=True)
class OptionExclusion:
    """A kernel option's value kernels do not draw (a wrong result with no message to match)."""

    finding: Finding
    option: str
    value: object
    why: str


OPTION_EXCLUSIONS = (
    OptionExclusion(ONNX_OUTPUT_SHAPE, "form", "output_shape", "TVM's ONNX frontend ignores ConvTranspose's "
                    "output_shape: the output is not cropped"),
)


def drawn_values(option: str, values: tuple) -> tuple:
    """The values of a kernel option that are drawn: those no OptionExclusion holds for."""
    excluded = {e.value for e in OPTION_EXCLUSIONS if e.option == option}
    return tuple(v for v in values if v not in excluded)


def layout_exclusion(layout: str) -> LayoutExclusion | None:
    """The exclusion a data or kernel layout string falls under, if any."""
    return next((e for e in LAYOUT_EXCLUSIONS if e.excluded(layout)), None)


# The upstream code a failure can be keyed on, read from the TVMScript of the module a kernel
# built: a Relax op ("R.nn.conv2d(" -> "relax.nn.conv2d"), a vectorized TIR loop.
RELAX_CALL = re.compile(r"\bR\.([A-Za-z_][\w.]*)\(")
VECTORIZED = "tir.vectorized"
TORCH_FRONTEND = "tvm.relax.frontend.torch"  # the importers, declared by the kernels that use them
ONNX_FRONTEND = "tvm.relax.frontend.onnx"
# Relax's transposed convolutions, whose struct-info inference runs while the module is built
# (a refusal there leaves no module to read): declared by the kernels that build them.
RELAX_CONV_TRANSPOSE = "relax.nn.conv_transpose"
# Relax's autodiff, run while a gradient row's module is built: declared by those kernels.
RELAX_GRADIENT = "relax.transform.Gradient"


def reached(declared=(), script: str | None = None) -> frozenset:
    """What a kernel reached: the upstream code it declares (Kernel.reaches: importers) and what
    the module it built shows (Relax ops, vectorized loops)."""
    found = set(declared)
    if script:
        found |= {f"relax.{op}" for op in RELAX_CALL.findall(script)}
        if "T.vectorized(" in script:
            found.add(VECTORIZED)
    return frozenset(found)


@dataclass(frozen=True)
class KnownFailure:
    """A failure on `targets` (None: any target) of a kernel that reached all of `reaches`, whose
    verdict message matches `pattern`. `measured_on`: the kernels of the rows it was measured on;
    a run in which such a row ran and it explained nothing warns that it may be stale."""

    finding: Finding
    reaches: tuple
    targets: tuple | None
    pattern: str
    measured_on: tuple = ()

    @property
    def key(self) -> str:
        """How a run counts this entry's matches (results.json, the stale-entry warning)."""
        return f"{self.finding.name}: {self.pattern}"

    def covers(self, triggers: frozenset, target: str) -> bool:
        """Whether this entry is about a kernel that reached `triggers`, on `target`."""
        return set(self.reaches) <= triggers and (self.targets is None or target in self.targets)

    @property
    def targets_text(self) -> str:
        return "every target" if self.targets is None else ", ".join(self.targets)

    def matches(self, triggers: frozenset, target: str, message: str) -> bool:
        return self.covers(triggers, target) and re.search(self.pattern, message) is not None

    def measured_row(self, kernel: str, target: str) -> bool:
        """Whether a row of `kernel` on `target` is one this entry was measured on."""
        return kernel in self.measured_on and (self.targets is None or target in self.targets)


CONV2D = "relax.nn.conv2d"
GPUS = ("cuda", "opencl", "metal")
RELAX_KERNELS = ("relax_conv2d", "torch_export", "relax_block", "onnx_import")
# dlight's GPU rules raise on Relax convolutions of every rank: the op -> the rows measured on.
DLIGHT_ROWS = {CONV2D: RELAX_KERNELS, "relax.nn.conv1d": ("relax_conv1d", "torch_conv1d", "onnx_conv1d"),
               "relax.nn.conv1d_transpose": ("relax_conv1d_transpose",),
               "relax.nn.conv3d": ("relax_conv3d", "torch_conv3d", "onnx_conv3d")}
DLIGHT_ERRORS = (r"compile error: AssertionError",
                 r"Cross-thread reduction requires all the reduction-related loops",
                 r"AttributeError: 'FloorDiv' object has no attribute 'value'")

KNOWN_FAILURES = (
    KnownFailure(C_CODEGEN, (VECTORIZED,), ("c",),
                 r"error: .(float|double|half|int)\d+. was not declared in this scope", ("seed_te_cpu_tiled",)),
    *(KnownFailure(DLIGHT, (op,), GPUS, pattern, rows) for op, rows in DLIGHT_ROWS.items() for pattern in DLIGHT_ERRORS),
    KnownFailure(OUT_LAYOUT, (CONV2D,), None, r"CodeGenVM cannot emit this Relax operator directly", ("relax_block",)),
    # float16/bfloat16: the imported conv2d returns float32, and the next op's float16 operand clashes.
    KnownFailure(TORCH_CONV_FLOAT32, (TORCH_FRONTEND,), None,
                 r"Binary operators must have the same datatype for both operands", ("torch_export",)),
    # ... and batch_norm's (its message names the op first; "requires all the input tensors to
    # have the same dtype" comes past the report's cut).
    KnownFailure(TORCH_CONV_FLOAT32, (TORCH_FRONTEND,), None, r'TypeError: ir\.Op\(.*name="relax\.nn\.batch_norm"',
                 ("torch_export",)),
    KnownFailure(TORCH_CONV_TRANSPOSE_3D, (TORCH_FRONTEND,), None, r"Unsupported transposed convolution dimensionality: 5",
                 ("torch_conv3d_transpose", "torch_conv2d_transpose")),
    KnownFailure(ONNX_CLIP_BFLOAT16, (ONNX_FRONTEND,), None, r"Data type T\.bfloat16 not supported for isnan op",
                 ("onnx_import",)),
    KnownFailure(BATCH_NORM_FLOAT16, (ONNX_FRONTEND,), None,
                 r'Argument 0 type mismatch: expected R\.Tensor\(.*"float16"\), given R\.Tensor\(.*"float32"\)',
                 ("onnx_import",)),
    KnownFailure(BATCH_NORM_FLOAT16, (ONNX_FRONTEND,), None,
                 r"asserts result type T\.float16, but its source and indices imply T\.float32", ("onnx_import",)),
    *(KnownFailure(CONV_TRANSPOSE_CHANNELS_LAST, (f"relax.nn.conv{r}d_transpose",), None,
                   r"CodeGenVM cannot emit this Relax operator directly", (f"relax_conv{r}d_transpose_{layout}",))
      for r, layout in ((1, "nwc"), (2, "nhwc"), (3, "ndhwc"))),
    KnownFailure(CONV_TRANSPOSE_OUTPUT_PADDING, (RELAX_CONV_TRANSPOSE,), None,
                 r"Conv[123]dTranspose expects the output padding less than the strides",
                 tuple(f"{path}_conv{r}d_transpose" for path in ("relax", "onnx", "torch") for r in (1, 2, 3))),
    # Relax's conv2d gradient builds its input gradient's conv2d_transpose with the undilated kernel
    # extent: refused (output padding >= stride) or the wrong shape, and the whole adjoint with it.
    # (A wrong shape of another cause would count here too: the finding's strict xfail and this
    # entry's stale warning say when the fix lands.)
    *(KnownFailure(GRADIENT_DILATION, (RELAX_GRADIENT,), None, pattern,
                   tuple(f"relax_backward_{which}_conv2d" for which in ("input", "weight")))
      for pattern in (r"Conv2dTranspose expects the output padding less than the strides",
                      r"^shape \(\d+, \d+, \d+, \d+\) differs from expected")),
    # Inputs that must be refused (conformance/refusals.py): the message is "defect: outcome: what TVM did".
    # The message is "member defect: outcome: what TVM did".
    KnownFailure(TOPI_UNCHECKED, ("refuse:topi_nchw",), ("llvm", "c"),
                 r"^conv2d (empty_output|negative_stride|zero_dilation|negative_dilation|negative_padding"
                 r"|weight_channels|mixed_dtypes): accepted", ("refuse:topi_nchw",)),
    KnownFailure(RELAX_UNCHECKED, ("refuse:relax_conv2d",), ("llvm", "c"),
                 r"^conv2d (negative_stride|zero_dilation|negative_dilation|negative_padding): accepted",
                 ("refuse:relax_conv2d",)),
    # ... the same gaps in the forward 1-D and 3-D computes (group_conv1d_ncw, conv3d_ncdhw; Relax conv1d/conv3d)
    KnownFailure(TOPI_UNCHECKED, ("refuse:topi_family",), ("llvm", "c"),
                 r"^conv[13]d (negative_stride|zero_dilation|negative_dilation|negative_padding|weight_channels"
                 r"|mixed_dtypes): accepted", ("refuse:topi_family",)),
    KnownFailure(RELAX_UNCHECKED, ("refuse:relax_family",), ("llvm", "c"),
                 r"^conv[13]d (negative_stride|zero_dilation|negative_dilation|negative_padding): accepted",
                 ("refuse:relax_family",)),
    KnownFailure(TRANSPOSE_UNCHECKED, ("refuse:topi_family",), ("llvm", "c"),
                 r"^conv[123]d_transpose (empty_output|negative_padding|weight_channels|mixed_dtypes): accepted",
                 ("refuse:topi_family",)),
    KnownFailure(TRANSPOSE_UNCHECKED, ("refuse:relax_family",), ("llvm", "c"),
                 r"^conv[123]d_transpose (empty_output|negative_dilation|negative_padding): accepted",
                 ("refuse:relax_family",)),
)


def excluded_dtypes(target_kind: str, kernel_kind: str, mcpu_features: frozenset = frozenset()) -> dict:
    """dtype -> reason, for the dtypes kernels of `kernel_kind` are not tested in on such a target."""
    found = {}
    for exclusion in EXCLUSIONS:
        if exclusion.applies(target_kind, kernel_kind, mcpu_features):
            found.update(dict.fromkeys(exclusion.dtypes, exclusion.reason))
    return found


def known_failure(triggers: frozenset, target: str, message: str) -> KnownFailure | None:
    """The entry that explains this failure of a kernel that reached `triggers` (`reached`), if any."""
    return next((k for k in KNOWN_FAILURES if k.matches(triggers, target, message)), None)

"""The frontend kernels (kernels/onnx_import.py, kernels/torch_export.py), the ONNX graph they and
onnxruntime share (reference/onnx_graph.py), the SAME padding rule (model/padding.py) checked
against the frameworks that implement it, and the reference agreement check."""
import dataclasses

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from conformance.reference_agreement import agreement_verdicts
from kernels.onnx_import import padded_by
from kernels.registry import KERNELS
from model.case import DTYPES, DepthwiseCase
from model.epilogue import EPILOGUES, MOBILENET_V2
from model.example import seeded_example
from model.padding import auto_pads, same_pads, torch_padding_forms, transposed_same_pads
from model.space import CaseSpace
from reference.block_oracle import numpy_block
from reference.comparison import FAIL, PASS, compare
from reference.onnx_graph import OPSETS, family_arrays, family_forms, family_model, onnx_arrays, onnx_model, valid_opsets
from reference.registry import REFERENCES, Reference
from reference.tolerance import error_bound
from reports.repro import repro_script
from runner.build import build
from strategies.cases import depthwise_cases
from strategies.inputs import conv_examples

onnx = pytest.importorskip("onnx")
onnxruntime = pytest.importorskip("onnxruntime")

SAME_SPACE = CaseSpace(layouts=("NCHW",), same_padding=True, max_dilation=1)


def ort_run(model, feeds):
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)[0]


def test_the_same_rule_is_onnxruntimes(self_test):
    """Where a drawn case is SAME-padded, onnxruntime's own auto_pad gives what the explicit
    pads of model/padding.py give (onnxruntime takes SAME without dilation only)."""
    seen = set()

    @self_test(60)
    @given(ex=conv_examples(SAME_SPACE))
    def check(ex):
        forms = auto_pads(ex.case)
        feeds = onnx_arrays(ex.case, ex.arrays)
        explicit = ort_run(onnx_model(ex.case), feeds)
        for form in forms[1:]:
            seen.add(form)
            np.testing.assert_array_equal(ort_run(onnx_model(ex.case, auto_pad=form), feeds), explicit, err_msg=form)

    check()
    assert {"SAME_UPPER", "SAME_LOWER", "VALID"} <= seen


FAMILY_SPACE = CaseSpace(ranks=(1, 2, 3), directions=(False, True), layouts=("NCW", "NCHW", "NCDHW"), max_dilation=1,
                         max_work=2000, max_extent=5, max_kernel=3, max_channels=3, max_stride=3)


def test_the_family_auto_pad_rules_are_onnxruntimes(self_test):
    """Conv and ConvTranspose of every rank, padded by ONNX's SAME rules as model/padding.py
    states them: onnxruntime's own auto_pad gives what the explicit pads give."""
    seen = set()

    @self_test(80)
    @given(case=depthwise_cases(FAMILY_SPACE), upper=st.booleans())
    def check(case, upper):
        pads = [transposed_same_pads(a, upper) if case.transposed else same_pads(a.size, a.dilated_kernel, a.stride, upper)
                for a in case.axes]
        assume(None not in pads)
        case = dataclasses.replace(case, axes=tuple(dataclasses.replace(a, pad_before=b, pad_after=e)
                                                    for a, (b, e) in zip(case.axes, pads)))
        forms = family_forms(case)
        assert ("SAME_UPPER" if upper else "SAME_LOWER") in forms, (case.summary(), forms)
        rng = np.random.default_rng(0)
        feeds = family_arrays(case, rng.standard_normal(case.input_shape).astype("float32"),
                              rng.standard_normal(case.weight_shape).astype("float32"))
        explicit = ort_run(family_model(case, 13, "pads"), feeds)
        for form in forms[1:]:
            seen.add(form)
            np.testing.assert_array_equal(ort_run(family_model(case, 13, form), feeds), explicit, err_msg=form)

    check()
    assert {"SAME_UPPER", "SAME_LOWER", "VALID"} <= seen


def test_torch_same_padding_is_same_upper(self_test):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    @self_test(40)
    @given(ex=conv_examples(CaseSpace(layouts=("NCHW",), same_padding=True)))
    def check(ex):
        case = ex.case
        if "same" not in torch_padding_forms(case):
            return
        x = torch.from_numpy(ex.data.astype(np.float64))
        w = torch.from_numpy(ex.weight.astype(np.float64)).reshape(case.out_channels, 1, case.kernel_h, case.kernel_w)
        same = F.conv2d(x, w, padding="same", dilation=case.dilation, groups=case.channels)
        explicit = F.conv2d(F.pad(x, case.torch_pad), w, dilation=case.dilation, groups=case.channels)
        np.testing.assert_array_equal(same.numpy(), explicit.numpy())

    check()


@pytest.mark.parametrize("epilogue", EPILOGUES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_every_drawn_onnx_model_is_valid(dtype, epilogue):
    """onnx's checker (full: shapes and types inferred) takes the model at every opset drawn
    for the dtype, with the weights as inputs and as initializers."""
    case = DepthwiseCase(channels=2, multiplier=2, height=5, width=4, kernel_h=3, kernel_w=2, pad_top=1,
                         pad_right=1, dtype=dtype, epilogue=epilogue)
    arrays = onnx_arrays(case, seeded_example(case, 0).arrays)
    for opset in valid_opsets(case):
        for initializers in (None, {n: a for n, a in arrays.items() if n not in ("data", "residual")}):
            onnx.checker.check_model(onnx_model(case, opset, initializers=initializers), full_check=True)
    assert set(valid_opsets(DepthwiseCase(dtype="bfloat16"))) == {o for o in OPSETS if o >= 22}


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_a_padding_mode_is_a_valid_pad_node_at_every_opset_drawn_for_it(mode):
    case = DepthwiseCase(channels=2, height=5, width=4, kernel_h=3, kernel_w=2, pad_top=1, pad_right=2,
                         padding_mode=mode, epilogue="bias")
    opsets = valid_opsets(case)
    assert opsets == ((22,) if mode == "circular" else OPSETS)  # Pad's wrap mode is opset 19's
    for opset in opsets:
        model = onnx_model(case, opset)
        onnx.checker.check_model(model, full_check=True)
        assert [n.op_type for n in model.graph.node][:2] == ["Pad", "Conv"]


def test_onnxruntime_lies_inside_the_bound_for_every_epilogue(self_test):
    ort = REFERENCES["onnxruntime"]

    @self_test(60)
    @given(ex=conv_examples(CaseSpace(dtypes=("float32", "float16"), epilogues=EPILOGUES)))
    def check(ex):
        oracle, magnitude, floor = numpy_block(ex.case, ex.arrays)
        got = ort.compute(ex.case, ex.data, ex.weight, **ex.extras)
        verdict = compare("onnxruntime", got, oracle, error_bound(ex.case, magnitude, ex.case.dtype, "float64", floor))
        assert verdict.status == PASS, verdict.message

    check()


def _rolled_bias(case, data, weight, **extras):
    """torch's block with the bias rolled by one channel: a reference with a bug."""
    from reference.torch_reference import torch_reference

    return torch_reference(case, data, weight, **{**extras, "bias": np.roll(extras["bias"], 1)})


def test_a_reference_with_a_bug_is_named_and_the_closer_one_said():
    wrong = Reference("torch_rolled", _rolled_bias, module="torch", epilogues=True)
    case = DepthwiseCase(channels=3, height=3, width=3, kernel_h=2, kernel_w=2, epilogue="bias")
    verdicts = agreement_verdicts(seeded_example(case, 1), (REFERENCES["onnxruntime"], wrong))
    by_name = {v.reference: v for v in verdicts}
    assert by_name["onnxruntime"].status == PASS
    assert by_name["torch_rolled"].status == FAIL
    assert "closer to float64: onnxruntime" in by_name["torch_rolled"].message


@pytest.mark.parametrize("epilogue", ["", "bias+bn+relu6+residual", MOBILENET_V2])
@pytest.mark.parametrize("params", ["inputs", "constants"])
def test_torch_export_takes_its_arguments_by_name(llvm, epilogue, params):
    pytest.importorskip("torch")
    kernel = KERNELS["torch_export"]
    case = DepthwiseCase(channels=2, multiplier=2, height=4, width=4, kernel_h=3, kernel_w=3, pad_top=1, pad_left=1,
                         pad_bottom=1, pad_right=1, epilogue=epilogue)
    options = {"padding": "numeric", "params": params,
               "constants": "<the example's input values>" if params == "constants" else None}
    ex = seeded_example(case, 2, None, tuple(sorted(options.items())))
    mod = kernel.module(case, dict(ex.options), llvm)
    names = [p.name for p in kernel.prepare(mod, case, dict(ex.options))["main"].params]
    assert names == list(kernel.arguments(ex))
    assert all(np.shape(a) == tuple(int(d) for d in p.ty.shape)
               for a, p in zip(kernel.arguments(ex).values(), kernel.prepare(mod, case, dict(ex.options))["main"].params))


@pytest.mark.parametrize("kernel_name, case, options", [
    ("onnx_import", padded_by(DepthwiseCase(channels=2, height=5, width=4, kernel_h=2, kernel_w=3, stride_w=2,
                                            epilogue="bias+bn+relu6+residual"), upper=False),
     {"auto_pad": "SAME_LOWER", "opset": 13, "weights": "initializers", "constants": "<the example's input values>"}),
    ("onnx_import", DepthwiseCase(channels=2, multiplier=2, height=4, width=4, kernel_h=2, kernel_w=2,
                                  epilogue=MOBILENET_V2),
     {"auto_pad": "VALID", "opset": 18, "weights": "inputs", "constants": None}),
    ("torch_export", DepthwiseCase(channels=2, multiplier=2, height=4, width=4, kernel_h=3, kernel_w=3, pad_top=1,
                                   pad_left=1, pad_bottom=1, pad_right=1, epilogue="bn+relu6"),
     {"padding": "numeric", "params": "constants", "constants": "<the example's input values>"}),
], ids=["onnx-initializers", "onnx-inputs", "torch-constants"])
def test_a_frontend_repro_exits_zero_for_a_correct_kernel(tmp_path, llvm, run_repro, kernel_name, case, options):
    """The ONNX repro embeds the model's bytes and imports it; the torch repro binds the
    parameters itself (kernels/pipelines.py)."""
    kernel = KERNELS[kernel_name]
    ex = seeded_example(case, 4, None, tuple(sorted(options.items())))
    text, side = repro_script(kernel, llvm, ex, build(kernel, case, llvm, ex.options).script)
    assert not side
    if kernel_name == "onnx_import":
        assert "ONNX_MODEL = None" not in text and "numpy, tvm and onnx" in text
    (tmp_path / "repro.py").write_text(text)
    run = run_repro(tmp_path / "repro.py")
    assert run.returncode == 0 and "not reproduced" in run.stdout, run.stdout[-2000:] + run.stderr[-2000:]


def test_the_onnx_repro_of_a_frontend_mutant_reproduces(tmp_path, llvm, run_repro):
    from mutants.frontend_kernels import FRONTEND_MUTANTS

    [(mutant, needs)] = [(k, n) for k, n in FRONTEND_MUTANTS if k.name == "mutant_same_upper_lower_swapped"]
    ex = seeded_example(needs, 1, None, (("auto_pad", "SAME_UPPER"), ("constants", None), ("opset", 13),
                                         ("weights", "inputs")))
    mutant = dataclasses.replace(mutant, onnx_model=lambda case, options: _swapped_model(case, options))
    text, _ = repro_script(mutant, llvm, ex, build(mutant, needs, llvm, ex.options).script)
    (tmp_path / "repro.py").write_text(text)
    run = run_repro(tmp_path / "repro.py")
    assert run.returncode == 1 and "REPRODUCED: outputs outside the error bound" in run.stdout, run.stdout + run.stderr


def _swapped_model(case, options):
    from kernels.onnx_import import drawn_model
    from mutants.frontend_kernels import _upper_lower_swapped

    return drawn_model(case, options, _upper_lower_swapped)


def test_relations_skip_a_padding_form_that_holds_for_the_example_only():
    """A follow-up of another shape or other pads would need another form (model/padding.py)."""
    from conformance.self_checks import why_no_relation

    case = DepthwiseCase(kernel_w=2, pad_right=1)
    same = seeded_example(case, 0, None, (("auto_pad", "SAME_UPPER"), ("constants", None)))
    explicit = seeded_example(case, 0, None, (("auto_pad", "NOTSET"), ("constants", None)))
    numeric = seeded_example(case, 0, None, (("constants", None), ("padding", "numeric")))
    assert "padding form (auto_pad=SAME_UPPER)" in why_no_relation(same)
    assert "padding form (padding=numeric)" in why_no_relation(numeric)
    assert why_no_relation(explicit) is None


@pytest.mark.parametrize("epilogue", ["bias+bn+relu6", MOBILENET_V2])
def test_the_torch_frontends_own_constants_path_gives_the_module_the_kernel_compiles(epilogue):
    """The frontend's default path (keep_params_as_input=False, BatchNorm's statistics as buffers)
    is not drawn, its constants having had no printable form for a repro (tvm-ffi-abi-mismatch):
    the kernel's "constants" path (parameters as inputs, then bound) must compute the very same
    output, bit for bit, or it would not stand in for it."""
    import torch
    import tvm
    from tvm import relax
    from tvm.relax.frontend.torch import from_exported_program

    from kernels.pipelines import apply_pipeline
    from kernels.torch_export import USER_INPUTS, block_module, prepare, torch_exported, torch_shapes
    from model.example import BOUND_INPUTS

    case = DepthwiseCase(channels=3, multiplier=2, height=6, width=5, kernel_h=3, kernel_w=3, stride_w=2,
                         pad_top=1, pad_left=1, pad_bottom=1, pad_right=1, epilogue=epilogue)
    ex = seeded_example(case, 0)
    model = block_module(case, "module", batch_norm=lambda channels: torch.nn.BatchNorm2d(channels, eps=1e-5))
    shapes = torch_shapes(case)
    values = {"expand.weight": "expand_weight", "conv.weight": "weight", "conv.bias": "bias", "bn.weight": "bn_gamma",
              "bn.bias": "bn_beta", "bn.running_mean": "bn_mean", "bn.running_var": "bn_var",
              "project.weight": "project_weight"}
    state = {f"body.{key}": torch.from_numpy(np.reshape(ex.arrays[name], shapes.get(name, np.shape(ex.arrays[name]))))
             for key, name in values.items() if name in ex.arrays}
    model.load_state_dict(state, strict=False)
    inputs = [torch.from_numpy(ex.arrays[name]) for name in USER_INPUTS if name in ex.arrays]
    own = from_exported_program(torch.export.export(model, tuple(inputs)), keep_params_as_input=False,
                                unwrap_unit_return_tuple=True)
    options = {"padding": "module", "params": "constants", BOUND_INPUTS: (0, None)}  # seeded_example's seed
    ours = prepare(torch_exported(case, **options), case, options)

    def run(mod):
        vm = relax.VirtualMachine(tvm.compile(mod, target="llvm"), tvm.cpu())
        return vm["main"](*(tvm.runtime.tensor(x.numpy()) for x in inputs)).numpy()

    np.testing.assert_array_equal(run(apply_pipeline(own, "constants", "NCHW", {})), run(ours))

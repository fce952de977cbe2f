"""Repro: TVM's TFLite importer rounds a quantized DEPTHWISE_CONV_2D's requantization half to even;
TFLite rounds ties up (gemmlowp's SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT
half away from zero). Every tie comes out one step off: -1.5 is -2 in TVM, -1 in TFLite; 2.5 is
2 in TVM, 3 in TFLite.

Two one-pixel models (built with the `tflite` schema, embedded below): int8 with per-channel
weight scales (2 channels) and uint8 per-tensor (zero points 128), each with input scale 1,
weight scale 0.5 (weights 1) and output scale 1: the output is x * 0.5 requantized, so each odd x
is a tie. The expected values follow TFLite's rule (multiplier 2**30, shift 0: x / 2 rounded half
up); where ai-edge-litert is installed its reference kernels give them too.

Needs numpy, tvm and tflite (ai-edge-litert optional). Exit status 1: reproduced; 0: fixed.
"""
import base64
import sys

import numpy as np

INT8_PER_CHANNEL = base64.b64decode("DAAAAFRGTDMAAAAAmv///yAAAAAQAAAAMAAAADQAAAADAAAABgAAAGR3Y29uZgAABQAAAOACAADUAgAAwAIAAKACAACYAgAAAQAAADQAAAABAAAAEAAAAAwADgANAAAABAAIAAwAAAADAAAABAAAAAAEDgAYABQAEAAMAAgABAAOAAAAFAAAACwAAAAYAAAAHAAAACgAAAAEAAAAbWFpbgAAAAABAAAAAwAAAAEAAAAAAAAAAQAAACgAAAAEAAAAtAEAACQBAAC4AAAAXAAAAAAADgAUAAAAEAAMAAsABAAOAAAANAAAAAAAAAIIAAAADAAAAAEAAAADAAAAAwAAAAAAAAABAAAAAgAAAAwAEAAAAAgADAAEAAwAAAABAAAAAQAAAAEAAADC/v//FAAAAEQAAAAEAAAAAAAACSQAAAC0/v//CAAAABAAAAABAAAAAAAAAAAAAAABAAAAAACAPwQAAAABAAAAAQAAAAEAAAACAAAABgAAAG91dHB1dAAAGv///xQAAABIAAAAAwAAAAAAAAI0AAAADP///wgAAAAcAAAAAgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAAAAD8AAAA/AQAAAAIAAAAEAAAAYmlhcwAADgAaABQAEwAMAAgABAAOAAAAKAAAAGgAAAACAAAAAAAACUgAAAAAABIAEAAAAAAADAAIAAAAAAAEABIAAAADAAAACAAAABgAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAIAAAAAAAA/AAAAPwQAAAABAAAAAQAAAAEAAAACAAAABgAAAHdlaWdodAAAAAAOABgAFAATAAwACAAEAA4AAAAgAAAAVAAAAAEAAAAAAAAJNAAAAAwADAAAAAAACAAEAAwAAAAIAAAAFAAAAAEAAAAAAAAAAAAAAAAAAAABAAAAAACAPwQAAAABAAAAAQAAAAEAAAACAAAABQAAAGlucHV0AAAAzP///+r///8EAAAACAAAAAAAAAAAAAAAAAAGAAgABAAGAAAABAAAAAIAAAABAQAA/P///wQABAAEAAAA")
UINT8_PER_TENSOR = base64.b64decode("DAAAAFRGTDMAAAAAmv///yAAAAAQAAAAMAAAADQAAAADAAAABgAAAGR3Y29uZgAABQAAAKACAACUAgAAgAIAAGQCAABcAgAAAQAAADQAAAABAAAAEAAAAAwADgANAAAABAAIAAwAAAADAAAABAAAAAAEDgAYABQAEAAMAAgABAAOAAAAFAAAACwAAAAYAAAAHAAAACgAAAAEAAAAbWFpbgAAAAABAAAAAwAAAAEAAAAAAAAAAQAAACgAAAAEAAAAfAEAAAwBAAC4AAAAXAAAAAAADgAUAAAAEAAMAAsABAAOAAAANAAAAAAAAAIIAAAADAAAAAEAAAADAAAAAwAAAAAAAAABAAAAAgAAAAwAEAAAAAgADAAEAAwAAAABAAAAAQAAAAEAAAD6/v//FAAAAEQAAAAEAAAAAAAAAyQAAADs/v//CAAAABAAAAABAAAAgAAAAAAAAAABAAAAAACAPwQAAAABAAAAAQAAAAEAAAABAAAABgAAAG91dHB1dAAAUv///xQAAAA8AAAAAwAAAAAAAAIoAAAARP///wgAAAAUAAAAAQAAAAAAAAAAAAAAAAAAAAEAAAAAAAA/AQAAAAEAAAAEAAAAYmlhcwAAAACi////FAAAAEgAAAACAAAAAAAAAygAAACU////CAAAABQAAAABAAAAgAAAAAAAAAAAAAAAAQAAAAAAAD8EAAAAAQAAAAEAAAABAAAAAQAAAAYAAAB3ZWlnaHQAAAAADgAYABQAEwAMAAgABAAOAAAAIAAAAFAAAAABAAAAAAAAAzAAAAAMAAwAAAAAAAgABAAMAAAACAAAABAAAAABAAAAgAAAAAAAAAABAAAAAACAPwQAAAABAAAAAQAAAAEAAAABAAAABQAAAGlucHV0AAAA0P///+7///8EAAAABAAAAAAAAAAAAAYACAAEAAYAAAAEAAAAAQAAAIEAAAD8////BAAEAAQAAAA=")


def tvm_run(model: bytes, data: np.ndarray) -> np.ndarray:
    """TVM's output: the model imported by tvm.relax.frontend.tflite.from_tflite, built for llvm."""
    import tflite
    import tvm
    from tvm import relax
    from tvm.relax.frontend.tflite import from_tflite

    mod = from_tflite(tflite.Model.GetRootAsModel(model, 0), {"input": data.shape}, {"input": str(data.dtype)})
    vm = relax.VirtualMachine(tvm.compile(mod, target="llvm"), tvm.cpu())
    return vm["main"](tvm.runtime.tensor(data)).numpy()


def litert_run(model: bytes, data: np.ndarray):
    """TFLite's own reference kernels (ai-edge-litert), or None where it is not installed."""
    try:
        from ai_edge_litert.interpreter import Interpreter, OpResolverType
    except ImportError:
        return None
    interpreter = Interpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], data)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def tflite_half(x: np.ndarray) -> np.ndarray:
    """TFLite's x * 0.5 (MultiplyByQuantizedMultiplier(x, 2**30, 0)): 2 * x * 2**30 / 2**31 with
    gemmlowp's nudge and C++'s truncating division, so halves round up."""
    product = x.astype(np.int64) * (1 << 30)
    nudged = product + np.where(product >= 0, 1 << 30, 1 - (1 << 30))
    return np.where(nudged >= 0, nudged // (1 << 31), -((-nudged) // (1 << 31)))


def main() -> int:
    try:
        import tflite  # noqa: F401
        import tvm.relax.frontend.tflite  # noqa: F401
    except ImportError as exc:
        print(f"CANNOT RUN HERE: {exc} (the tflite schema package is not installed)")
        return 77
    wrong = 0
    pairs = [[-3, 5], [-1, 1], [3, -5], [2, -4], [127, -127]]
    for name, model, dtype, zero_point in (("int8 per-channel", INT8_PER_CHANNEL, np.int8, 0),
                                           ("uint8 per-tensor", UINT8_PER_TENSOR, np.uint8, 128)):
        for pair in pairs:
            values = np.array(pair) if dtype is np.int8 else np.array(pair[:1])
            data = (values + zero_point).astype(dtype).reshape(1, 1, 1, -1)
            expected = (tflite_half(values) + zero_point).astype(dtype)
            reference = litert_run(model, data)
            if reference is not None and not np.array_equal(reference.ravel(), expected):
                print(f"NOT REPRODUCED: this repro's TFLite rule disagrees with LiteRT: {reference.ravel()}")
                return 0
            actual = tvm_run(model, data).ravel()
            line = f"{name}: x = {values.tolist()}: TFLite {expected.tolist()}, TVM {actual.tolist()}"
            print(line + ("" if np.array_equal(actual, expected) else "  <- differs"))
            wrong += not np.array_equal(actual, expected)
    if wrong:
        print(f"REPRODUCED: TVM's requantization differs from TFLite's on {wrong} inputs (ties rounded to even)")
        return 1
    print("NOT REPRODUCED: every tie rounds as TFLite rounds it")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Repro: TVM's TFLite importer refuses a valid int8 DEPTHWISE_CONV_2D with one output channel
(C * M = 1) quantized per channel: "Per-tensor DepthwiseConv2D weight QuantizedDimension() must
be 0, got 3". TFLite's converter writes a depthwise weight's per-channel scales on axis 3 (the
C * M axis); with one channel there is one scale, which TVM takes for per-tensor quantization and
then requires axis 0. TFLite runs the model.

The model (built with the `tflite` schema, embedded below): one pixel, one channel, input
scale 1, weight scale 0.5 (weight 1, quantized_dimension 3), output scale 1.

Needs numpy, tvm and tflite (ai-edge-litert optional). Exit status 1: reproduced; 0: fixed.
"""
import base64
import sys

import numpy as np

ONE_CHANNEL_PER_CHANNEL = base64.b64decode("DAAAAFRGTDMAAAAAmv///yAAAAAQAAAAMAAAADQAAAADAAAABgAAAGR3Y29uZgAABQAAAMACAAC0AgAAoAIAAIQCAAB8AgAAAQAAADQAAAABAAAAEAAAAAwADgANAAAABAAIAAwAAAADAAAABAAAAAAEDgAYABQAEAAMAAgABAAOAAAAFAAAACwAAAAYAAAAHAAAACgAAAAEAAAAbWFpbgAAAAABAAAAAwAAAAEAAAAAAAAAAQAAACgAAAAEAAAAnAEAABQBAAC4AAAAXAAAAAAADgAUAAAAEAAMAAsABAAOAAAANAAAAAAAAAIIAAAADAAAAAEAAAADAAAAAwAAAAAAAAABAAAAAgAAAAwAEAAAAAgADAAEAAwAAAABAAAAAQAAAAEAAADa/v//FAAAAEQAAAAEAAAAAAAACSQAAADM/v//CAAAABAAAAABAAAAAAAAAAAAAAABAAAAAACAPwQAAAABAAAAAQAAAAEAAAABAAAABgAAAG91dHB1dAAAMv///xQAAAA4AAAAAwAAAAAAAAIkAAAAJP///wgAAAAQAAAAAQAAAAAAAAAAAAAAAQAAAAAAAD8BAAAAAQAAAAQAAABiaWFzAAAOABoAFAATAAwACAAEAA4AAAAoAAAAYAAAAAIAAAAAAAAJQAAAAAAAEgAQAAAAAAAMAAgAAAAAAAQAEgAAAAMAAAAIAAAAFAAAAAEAAAAAAAAAAAAAAAAAAAABAAAAAAAAPwQAAAABAAAAAQAAAAEAAAABAAAABgAAAHdlaWdodAAAAAAOABgAFAATAAwACAAEAA4AAAAgAAAAUAAAAAEAAAAAAAAJMAAAAAwADAAAAAAACAAEAAwAAAAIAAAAEAAAAAEAAAAAAAAAAAAAAAEAAAAAAIA/BAAAAAEAAAABAAAAAQAAAAEAAAAFAAAAaW5wdXQAAADQ////7v///wQAAAAEAAAAAAAAAAAABgAIAAQABgAAAAQAAAABAAAAAQAAAPz///8EAAQABAAAAA==")


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


def main() -> int:
    try:
        import tflite  # noqa: F401
        import tvm.relax.frontend.tflite  # noqa: F401
    except ImportError as exc:
        print(f"CANNOT RUN HERE: {exc} (the tflite schema package is not installed)")
        return 77
    data = np.array([4], np.int8).reshape(1, 1, 1, 1)
    reference = litert_run(ONE_CHANNEL_PER_CHANNEL, data)
    if reference is not None:
        print(f"TFLite (LiteRT reference kernels) runs it: {reference.ravel().tolist()}")
    try:
        actual = tvm_run(ONE_CHANNEL_PER_CHANNEL, data)
    except Exception as exc:  # the importer's refusal is the finding
        print(f"REPRODUCED: from_tflite refuses the model: {type(exc).__name__}: "
              f"{str(exc).strip().splitlines()[-1]}")
        return 1
    print(f"NOT REPRODUCED: TVM imports and runs it: {actual.ravel().tolist()} (expected 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

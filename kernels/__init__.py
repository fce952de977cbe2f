"""The kernels under test: TVM depthwise convolutions, each a registered `Kernel`."""

"""The references a kernel is compared with: a float64 numpy oracle, PyTorch and MXNet."""

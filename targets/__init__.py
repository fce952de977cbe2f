"""TVM targets discovered on this machine."""

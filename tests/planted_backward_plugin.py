"""pytest plugin (`-p tests.planted_backward_plugin`): registers a planted wrong grad_weight kernel
(tests/planted.py), to check that the suite catches, shrinks and writes it up like any gradient row."""
from kernels.registry import register_kernel
from tests.planted import GRAD_WEIGHT_PADDING_SWAPPED

register_kernel(GRAD_WEIGHT_PADDING_SWAPPED)

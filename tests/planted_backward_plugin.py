"""pytest plugin (`-p tests.planted_backward_plugin`): the gradient tests get a planted wrong
grad_weight kernel (tests/planted.py), to check that the suite catches and writes it up."""
import conformance.test_backward
from tests.planted import backward_with_weight_padding_swapped

conformance.test_backward.build_backward = backward_with_weight_padding_swapped

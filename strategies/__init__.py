"""The case model and the Hypothesis strategies that draw depthwise convolutions."""

"""Hypothesis strategies that draw depthwise convolutions inside a kernel's CaseSpace."""

"""The case model: the vocabulary every layer speaks (cases, case spaces, examples)."""

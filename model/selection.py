"""Choosing registry entries by name (kernels, targets, references: one rule for all three)."""
from __future__ import annotations


def select_named(registry: dict, names: str | None, noun: str, groups: dict | None = None,
                 context: str = "") -> tuple:
    """The entries of `registry` named in a comma-separated list (all when None), in that order,
    each once; a name of `groups` stands for its members. ValueError naming the known ones
    (and `context`, e.g. which are available here) on an unknown name."""
    if not names:
        return tuple(registry.values())
    groups = groups or {}
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in registry and n not in groups]
    if unknown or not wanted:
        raise ValueError(f"unknown {noun}(s) {', '.join(unknown) or repr(names)}; "
                         f"known {noun}s: {', '.join([*registry, *groups])}{context}")
    expanded = [member for n in wanted for member in groups.get(n, (n,))]
    return tuple(registry[n] for n in dict.fromkeys(expanded))

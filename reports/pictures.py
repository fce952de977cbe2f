"""Pictures of a numeric failure: where in the output the error lies, relative to its bound.

A dropped right column, a swapped padding side or a shifted row is obvious as a picture of
|actual - expected| / bound over one output plane: the plane (image and channel) where the
error is worst is drawn on a log scale, cells beyond the bound outlined, NaN (never written) cyan.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

# A weight (gradient) layout names its channel C, multiplier M and spatial axes ("CMHW" for
# (C, M, KH, KW); TOPI's "HWOI" is (KH, KW, C, M)): planes are indexed by channel, multiplier
# (and depth), the last two kernel axes drawn (a 1-D weight: multiplier x width).
WEIGHT_PLANE_NAMES = ("channel", "multiplier", "depth")
# What indexes the planes of a channels-first output of each rank (its last two axes are drawn;
# a 1-D output's plane is channels x width).
PLANE_NAMES = {3: ("image",), 4: ("image", "channel"), 5: ("image", "channel", "depth")}


def worst_plane(ratio: np.ndarray, layout: str) -> tuple[np.ndarray, str]:
    """The 2-D plane of `ratio` (error / bound, shaped by `layout`) holding its largest value,
    and a label naming it: a 2-D output's (image, channel) plane, a 1-D output's image (channels
    x width), a 3-D output's (image, channel, depth) plane."""
    weight = layout.replace("O", "C").replace("I", "M")  # TOPI's depthwise HWOI is (KH, KW, C, M)
    if "M" in weight:
        order = [weight.index("C"), weight.index("M"), *(i for i, letter in enumerate(weight) if letter not in "CM")]
        ratio = ratio.transpose(order)
        names = WEIGHT_PLANE_NAMES[:ratio.ndim - 2]
    else:
        if layout.endswith("C"):  # channels last: channels to axis 1
            ratio = np.moveaxis(ratio, -1, 1)
        names = PLANE_NAMES[ratio.ndim]
    finite = np.where(np.isfinite(ratio), ratio, np.inf)  # NaN (never written): worst of all
    leading = finite.shape[:-2]
    index = np.unravel_index(np.argmax(finite.reshape(*leading, -1).max(axis=-1)), leading)
    return ratio[index], ", ".join(f"{name} {i}" for name, i in zip(names, index))


def error_heatmap(actual, expected, bound, layout: str, path: Path, title: str) -> Path | None:
    """Draw |actual - expected| / bound over the worst output plane to `path` (a PNG); None
    when there is nothing to draw (shapes differ) or matplotlib is not installed."""
    if np.shape(actual) != np.shape(expected) or np.ndim(actual) not in PLANE_NAMES:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker
    except ImportError:
        return None
    diff = np.abs(np.asarray(actual, np.float64) - np.asarray(expected, np.float64))
    ratio = diff / np.maximum(bound, np.finfo(np.float64).tiny)
    plane, where = worst_plane(ratio, layout)
    # log10 of the ratio: a few ulps and a garbage value both stay readable; 0 is "on the bound"
    shown = np.where(np.isfinite(plane), np.log10(np.maximum(plane, 1e-3)), np.nan)
    size = (min(12.0, max(3.6, 1.2 + 0.35 * plane.shape[1])), min(10.0, max(2.8, 1.4 + 0.35 * plane.shape[0])))
    figure, axes = plt.subplots(figsize=size, dpi=100)
    colours = plt.get_cmap("magma").with_extremes(bad="cyan")  # cyan: NaN, an element never written
    top = float(np.nanmax(shown)) if np.isfinite(shown).any() else 1.0
    image = axes.imshow(shown, cmap=colours, vmin=-3, vmax=max(1.0, top), interpolation="nearest")
    for r, c in np.argwhere(~(plane <= 1)):
        axes.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor="lime", linewidth=1))
    axes.set_title(f"{title}\nlog10(error / bound), {where}", fontsize=8)
    axes.set_xlabel("column", fontsize=8)
    axes.set_ylabel("row", fontsize=8)
    for axis, extent in ((axes.xaxis, plane.shape[1]), (axes.yaxis, plane.shape[0])):
        axis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, nbins=min(extent, 10)))
    axes.tick_params(labelsize=7)
    bar = figure.colorbar(image, ax=axes, shrink=0.8)
    bar.ax.tick_params(labelsize=7)
    bar.set_label("> 0: outside the bound", fontsize=7)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path

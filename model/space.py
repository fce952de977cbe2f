"""`CaseSpace`: which depthwise convolutions a kernel takes (the strategies draw inside it)."""
from __future__ import annotations

from dataclasses import dataclass

from model.axis import LAYOUTS, LAYOUTS_BY_RANK

# One example should cost milliseconds to check, whatever the draw: multiply-adds plus
# input elements stay under this (the seed's own 256-channel case is pinned, not drawn).
MAX_WORK = 300_000


@dataclass(frozen=True)
class CaseSpace:
    """What a kernel can take; the strategy draws only inside it."""

    ranks: tuple[int, ...] = (2,)  # spatial ranks (model/axis.py SPATIAL)
    directions: tuple[bool, ...] = (False,)  # transposed: False (forward), True
    layouts: tuple[str, ...] = LAYOUTS  # of any of its ranks (model/axis.py LAYOUTS_BY_RANK)
    dtypes: tuple[str, ...] = ("float32",)
    max_multiplier: int = 4
    max_dilation: int = 3
    max_transposed_dilation: int | None = None  # transposed cases' (None: max_dilation)
    asymmetric_padding: bool = True
    max_batch: int = 3
    max_channels: int = 16
    max_kernel: int = 7
    max_stride: int = 4
    max_extent: int = 20  # input height/width above the smallest valid one
    max_row: int = 70  # longest input row drawn for a lane-width edge (strategies/cases.py)
    max_work: int = MAX_WORK
    epilogues: tuple[str, ...] = ("",)  # model/epilogue.py; float cases only
    same_padding: bool = False  # a third of the cases padded by the SAME rule (model/padding.py)
    padding_modes: tuple[str, ...] = ("zeros",)  # model/case.py PADDING_MODES
    lane_channels: bool = False  # channels-last cases also draw C at lane-width edges past max_channels

    def most_dilation(self, transposed: bool) -> int:
        """The largest dilation a forward or transposed case of the space has."""
        if transposed and self.max_transposed_dilation is not None:
            return min(self.max_dilation, self.max_transposed_dilation)
        return self.max_dilation

    def layouts_of_rank(self, rank: int) -> tuple[str, ...]:
        """The space's layouts a case of `rank` can have."""
        return tuple(layout for layout in self.layouts if layout in LAYOUTS_BY_RANK[rank])

"""Page sizes of certificates (mm)."""

from __future__ import annotations

PAGE_SIZES: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}  # portrait


def size_mm(size: str = "A4", orientation: str = "landscape") -> tuple[float, float]:
    """Width and height (mm) of a page of that size, turned for landscape."""
    w, h = PAGE_SIZES[size]
    return (h, w) if orientation == "landscape" else (w, h)

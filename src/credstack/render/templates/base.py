"""What every template is made of: the page a layout is laid out for and the template record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..canvas import Canvas

WHITE = "#ffffff"
BLACK = "#000000"
Style = dict[str, Any]  # text element properties: size, font, weight, style, color, align, min_size, ...
Element = dict[str, Any]  # one element of a design (see render.design)


@dataclass(frozen=True)
class Page:
    """What a layout is laid out for: the page (mm) and the issuer's choices."""

    W: float
    H: float
    color: str
    accent: str
    logo: str | None
    signatory: dict[str, Any] | None
    heading: str
    subheading: str

    @property
    def land(self) -> bool:
        return self.W > self.H

    @property
    def title(self) -> str:
        """Heading and subheading on one line."""
        return f"{self.heading} {self.subheading}".strip()

    def centred(self, w: float) -> float:
        """The x at which an element w wide is centred on the page."""
        return (self.W - w) / 2


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    color: str  # default brand colour
    accent: str  # default accent colour
    draw: Callable[[Canvas, str, str], None]
    elements: Callable[[Page], list[Element]]

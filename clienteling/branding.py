"""A store's colours on its customer-facing pages: hex colours, their contrast, their stylesheet.

The Content-Security-Policy allows no inline style, so a store's colours reach the page as a
small stylesheet in MEDIA named after the colours themselves (`stores/brand/<primary>-<accent>.css`):
written once by `services.store_branding_publish`, shared by stores of the same colours.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"
MIN_CONTRAST = 4.5  # WCAG 2.2 AA for body text
DEFAULT_PRIMARY = "#1f2933"
STYLESHEET_DIR = "stores/brand"


def validate_hex_colour(value: str) -> None:
    if value and not HEX.match(value):
        raise ValidationError(_("Enter a colour as # and six hexadecimal digits, e.g. #1f4c80."),
                              code="invalid")


def _channel(value: int) -> float:
    value = value / 255
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG's contrast ratio of two #rrggbb colours, from 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def shade(colour: str, factor: float) -> str:
    """The colour darkened by `factor` (0.15: 15 % darker), for hover and pressed states."""
    channels = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(value * (1 - factor)):02x}" for value in channels)


def stylesheet_name(primary: str, accent: str) -> str:
    """The stylesheet's path in MEDIA for these colours ("" when the store keeps the default)."""
    if not (primary or accent):
        return ""
    primary, accent = ((value or "-").lstrip("#").lower() for value in (primary, accent))
    return f"{STYLESHEET_DIR}/{primary}-{accent}.css"


def stylesheet_text(primary: str, accent: str) -> str:
    """CSS custom properties for `atelier.css`'s public pages (`--brand-*`)."""
    primary = (primary or DEFAULT_PRIMARY).lower()
    accent = (accent or primary).lower()
    return (
        "/* Written by Atelier from the store's colours: do not edit. */\n"
        f":root {{ --brand-primary: {primary}; --brand-primary-hover: {shade(primary, .15)};\n"
        f"  --brand-primary-active: {shade(primary, .25)}; --brand-accent: {accent};\n"
        f"  --brand-accent-hover: {shade(accent, .15)}; }}\n"
    )

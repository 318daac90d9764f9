"""mhsim's own themes: a high-contrast dark one and a high-contrast light one.

Textual ships no high-contrast theme, so these keep text at full strength (no dimmed alpha), use pure black or
white backgrounds and saturated accents, and draw the focused widget's border in a colour that differs from
every other border. Statuses never depend on these colours: they always carry a symbol and words.
"""

from __future__ import annotations

from textual.theme import Theme

HIGH_CONTRAST = "mhsim-high-contrast"
HIGH_CONTRAST_LIGHT = "mhsim-high-contrast-light"
DEFAULT_THEME = "textual-dark"

THEMES: tuple[Theme, ...] = (
    Theme(
        name=HIGH_CONTRAST,
        primary="#FFD700",  # focus and headings: yellow on black reads at 17:1
        secondary="#00E5FF",
        accent="#FFFFFF",
        warning="#FFB000",
        error="#FF5C5C",
        success="#3DFF7A",
        foreground="#FFFFFF",
        background="#000000",
        surface="#000000",
        panel="#1A1A1A",
        boost="#262626",
        dark=True,
        luminosity_spread=0.05,
        text_alpha=1.0,
        variables={
            "border": "#FFD700",
            "border-blurred": "#BFBFBF",
            "footer-key-foreground": "#FFD700",
            "block-cursor-background": "#FFD700",
            "block-cursor-foreground": "#000000",
            "block-cursor-text-style": "bold",
            "input-selection-background": "#00E5FF 50%",
            "scrollbar": "#BFBFBF",
        },
    ),
    Theme(
        name=HIGH_CONTRAST_LIGHT,
        primary="#0033CC",
        secondary="#6A00A8",
        accent="#000000",
        warning="#8A4B00",
        error="#B00020",
        success="#006B1F",
        foreground="#000000",
        background="#FFFFFF",
        surface="#FFFFFF",
        panel="#EDEDED",
        boost="#E0E0E0",
        dark=False,
        luminosity_spread=0.05,
        text_alpha=1.0,
        variables={
            "border": "#0033CC",
            "border-blurred": "#404040",
            "footer-key-foreground": "#0033CC",
            "block-cursor-background": "#0033CC",
            "block-cursor-foreground": "#FFFFFF",
            "block-cursor-text-style": "bold",
        },
    ),
)

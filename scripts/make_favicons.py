"""Draw the site's icon as PNG and ICO next to static/img/favicon.svg.

The SVG is the icon (a white map pin on the site's blue); browsers that take
no SVG icon get /favicon.ico (16, 32 and 48 px) and phones
static/img/apple-touch-icon.png (180 px). Run it after changing the SVG:

    .venv/bin/python scripts/make_favicons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "static" / "img"
BLUE = "#0a5a8c"
WHITE = "#ffffff"
SCALE = 8  # draw large, then scale down smoothly


def icon(size, corner=7):
    """The SVG's drawing on a 32-unit grid, at `size` pixels."""
    unit = size * SCALE / 32
    big = Image.new("RGBA", (size * SCALE, size * SCALE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    draw.rounded_rectangle(
        (0, 0, 32 * unit - 1, 32 * unit - 1), corner * unit, fill=BLUE
    )
    # The pin: a circle of radius 8.5 around (16, 12.8) and a point at (16, 27.5).
    cx, cy, r = 16 * unit, 12.8 * unit, 8.5 * unit
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=WHITE)
    draw.polygon(
        [
            (cx - 7.4 * unit, cy + 4.2 * unit),
            (cx + 7.4 * unit, cy + 4.2 * unit),
            (cx, 27.5 * unit),
        ],
        fill=WHITE,
    )
    hole = 3.4 * unit
    draw.ellipse((cx - hole, cy - hole, cx + hole, cy + hole), fill=BLUE)
    return big.resize((size, size), Image.LANCZOS)


def main():
    icon(48).save(IMG / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    # A touch icon is shown as a square with the phone's own rounding.
    icon(180, corner=0).convert("RGB").save(IMG / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()

"""Draw the addon's Apps icon: lead_pool_policy/static/description/icon.png.

Usage: python3 tools/make_icon.py [--size N] [--output PATH]

Flat shapes in the colours of Odoo 18's own app icons (CRM's teal, dark teal
and plum): a ring for the public pool and a lead card, with its contact,
lifted out of it; where the two overlap the darker colour shows, as the
overlapping shapes of Odoo's icons do. Drawn four times larger and scaled
down, so the edges are smooth; transparent around the shapes.
"""

import argparse
import pathlib

from PIL import Image, ImageChops, ImageDraw

ADDON = pathlib.Path(__file__).resolve().parent.parent / "lead_pool_policy"
TARGET = ADDON / "static" / "description" / "icon.png"

TEAL = (26, 211, 187)  # #1AD3BB
PLUM = (152, 81, 132)  # #985184
DARK_TEAL = (0, 94, 122)  # #005E7A
WHITE = (255, 255, 255)

# Geometry on a 100 x 100 grid.
RING_CENTER, RING_OUTER, RING_INNER = (38, 60), 35, 20
CARD_BOX, CARD_RADIUS = (44, 8, 94, 58), 9
HEAD_CENTER, HEAD_RADIUS = (69, 25), 7.5
SHOULDERS_BOX = (55, 36, 83, 62)  # the ellipse whose upper half is drawn
SUPERSAMPLE = 4


def _mask(size, draw_shape):
    mask = Image.new("L", (size, size), 0)
    draw_shape(ImageDraw.Draw(mask), size / 100)
    return mask


def _ring(draw, k):
    (cx, cy), outer, inner = RING_CENTER, RING_OUTER, RING_INNER
    draw.ellipse(
        [(cx - outer) * k, (cy - outer) * k, (cx + outer) * k, (cy + outer) * k], 255
    )
    draw.ellipse(
        [(cx - inner) * k, (cy - inner) * k, (cx + inner) * k, (cy + inner) * k], 0
    )


def _card(draw, k):
    draw.rounded_rectangle([c * k for c in CARD_BOX], CARD_RADIUS * k, 255)


def _contact(draw, k):
    (cx, cy), r = HEAD_CENTER, HEAD_RADIUS
    draw.ellipse([(cx - r) * k, (cy - r) * k, (cx + r) * k, (cy + r) * k], 255)
    draw.pieslice([c * k for c in SHOULDERS_BOX], 180, 360, 255)


def draw(size):
    big = size * SUPERSAMPLE
    ring, card, contact = (_mask(big, shape) for shape in (_ring, _card, _contact))
    contact = ImageChops.multiply(contact, card)
    overlap = ImageChops.multiply(ring, card)
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    for color, mask in (
        (TEAL, ring),
        (PLUM, card),
        (DARK_TEAL, overlap),
        (WHITE, contact),
    ):
        image.paste(Image.new("RGBA", (big, big), color + (255,)), (0, 0), mask)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=256, help="pixels a side (256)")
    parser.add_argument(
        "--output", type=pathlib.Path, default=TARGET, help="PNG to write"
    )
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    draw(args.size).save(args.output, optimize=True)
    print(f"wrote {args.output} ({args.size} x {args.size})")


if __name__ == "__main__":
    main()

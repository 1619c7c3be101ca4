"""Draw the default programme logo (templates/branding/cw-personalisation-logo.png).

A plain generated mark, so the project ships no third-party logo files. Needs Pillow
(a development tool only; pcxl itself does not import it):

    python tools/make_logo.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[1] / "templates" / "branding" / "cw-personalisation-logo.png"
BLUE, DARK, LIGHT, WHITE = "#005EB8", "#003087", "#41B6E6", "#FFFFFF"
SCALE = 4  # draw large, then shrink, for smooth edges


def main() -> None:
    w, h = 440, 120
    img = Image.new("RGBA", (w * SCALE, h * SCALE), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    s = SCALE
    d.rounded_rectangle((0, 0, w * s - 1, h * s - 1), radius=18 * s, fill=BLUE)
    # three people around a shared centre: "what matters to me"
    for cx, colour in ((38, LIGHT), (60, WHITE), (82, LIGHT)):
        d.ellipse(((cx - 9) * s, 30 * s, (cx + 9) * s, 48 * s), fill=colour)
        d.pieslice(((cx - 17) * s, 52 * s, (cx + 17) * s, 96 * s), 180, 360, fill=colour)
    d.rectangle((22 * s, 74 * s, 98 * s, 80 * s), fill=DARK)
    big = ImageFont.load_default(size=34 * s)
    small = ImageFont.load_default(size=17 * s)
    d.text((116 * s, 22 * s), "Coventry & Warwickshire", font=small, fill=WHITE)
    d.text((116 * s, 44 * s), "Personalised Care", font=big, fill=WHITE)
    d.text((116 * s, 86 * s), "Personalisation Programme", font=small, fill=LIGHT)
    small = img.resize((w, h), Image.LANCZOS)
    # A 64-colour palette keeps the edges smooth and the file small (it is in every workbook).
    small.quantize(64, method=Image.Quantize.FASTOCTREE).save(OUT, optimize=True)
    print(f"wrote {OUT.name}")


if __name__ == "__main__":
    main()

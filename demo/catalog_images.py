"""Product pictures for the demo catalog, drawn at seed time with Pillow: a simple silhouette of
the item type in the product's colour on a soft backdrop (no photo, no download).

One picture per (item type, colour): 11 × 8 small WebP files (4 to 8 KB, 480 × 600) in MEDIA under
`products/demo/`, shared by every product of that kind and colour; a run that finds a file keeps it.
"""

from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw

WIDTH, HEIGHT = 480, 600
SCALE = 2  # drawn twice as large, then shrunk: smooth edges without an antialiasing pass
FOLDER = "products/demo"


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _mix(colour, other, amount: float):
    return tuple(round(a + (b - a) * amount) for a, b in zip(colour, other, strict=True))


def _light(colour) -> bool:
    red, green, blue = colour
    return 0.299 * red + 0.587 * green + 0.114 * blue > 170


def image_name(item_type: str, colour: str) -> str:
    return f"{FOLDER}/{item_type.lower()}-{colour.lower()}.webp"


# Each drawer gets the canvas, the fill, a darker line colour and a lighter detail colour, and
# draws on a 480 × 600 grid (scaled by `s`).
def _coat(d, s, fill, line, detail):
    d.polygon([s(170, 110), s(310, 110), s(360, 520), s(120, 520)], fill=fill, outline=line, width=s(4))
    d.polygon(
        [s(170, 110), s(120, 150), s(80, 440), s(125, 450), s(160, 220)], fill=fill, outline=line, width=s(4)
    )
    d.polygon(
        [s(310, 110), s(360, 150), s(400, 440), s(355, 450), s(320, 220)], fill=fill, outline=line, width=s(4)
    )
    d.polygon([s(200, 110), s(240, 230), s(280, 110)], fill=detail)
    d.line([s(240, 230), s(240, 520)], fill=line, width=s(3))
    d.rectangle([s(140, 330), s(340, 350)], fill=line)  # the belt
    for y in (270, 400, 460):
        d.ellipse([s(250, y), s(262, y + 12)], fill=detail)


def _dress(d, s, fill, line, detail):
    d.polygon([s(195, 100), s(285, 100), s(300, 260), s(180, 260)], fill=fill, outline=line, width=s(4))
    d.polygon([s(180, 260), s(300, 260), s(380, 530), s(100, 530)], fill=fill, outline=line, width=s(4))
    d.line([s(205, 100), s(195, 60)], fill=line, width=s(5))
    d.line([s(275, 100), s(285, 60)], fill=line, width=s(5))
    d.rectangle([s(180, 252), s(300, 268)], fill=detail)
    for x in (160, 210, 270, 320):
        d.line([s(240 + (x - 240) * 0.35, 270), s(x, 525)], fill=line, width=s(2))


def _blazer(d, s, fill, line, detail):
    d.polygon([s(165, 120), s(315, 120), s(350, 440), s(130, 440)], fill=fill, outline=line, width=s(4))
    d.polygon(
        [s(165, 120), s(115, 160), s(90, 420), s(130, 425), s(150, 230)], fill=fill, outline=line, width=s(4)
    )
    d.polygon(
        [s(315, 120), s(365, 160), s(390, 420), s(350, 425), s(330, 230)], fill=fill, outline=line, width=s(4)
    )
    d.polygon([s(205, 120), s(240, 300), s(275, 120)], fill=detail)
    d.polygon([s(205, 120), s(185, 170), s(240, 300)], fill=line)
    d.polygon([s(275, 120), s(295, 170), s(240, 300)], fill=line)
    d.rectangle([s(280, 330), s(330, 340)], fill=line)
    for y in (320, 370):
        d.ellipse([s(232, y), s(248, y + 16)], fill=detail)


def _knit(d, s, fill, line, detail):
    d.polygon([s(150, 140), s(330, 140), s(345, 470), s(135, 470)], fill=fill, outline=line, width=s(4))
    d.polygon(
        [s(150, 140), s(95, 200), s(80, 450), s(125, 455), s(140, 260)], fill=fill, outline=line, width=s(4)
    )
    d.polygon(
        [s(330, 140), s(385, 200), s(400, 450), s(355, 455), s(340, 260)], fill=fill, outline=line, width=s(4)
    )
    d.chord([s(195, 110), s(285, 175)], 0, 180, fill=detail, outline=line, width=s(3))
    for x in range(145, 345, 14):
        d.line([s(x, 440), s(x, 468)], fill=line, width=s(2))
    for x in (210, 240, 270):
        d.line([s(x, 200), s(x, 420)], fill=_mix(fill, line, 0.35), width=s(3))


def _sneaker(d, s, fill, line, detail):
    d.polygon(
        [s(70, 400), s(90, 300), s(190, 280), s(260, 330), s(400, 360), s(420, 410)],
        fill=fill,
        outline=line,
        width=s(4),
    )
    d.rounded_rectangle(
        [s(60, 400), s(425, 445)], radius=s(18), fill=(246, 244, 240), outline=line, width=s(4)
    )
    for x in (170, 200, 230):
        d.line([s(x, 300), s(x + 25, 330)], fill=detail, width=s(4))
    d.arc([s(80, 300), s(200, 380)], 200, 330, fill=line, width=s(3))


def _pump(d, s, fill, line, detail):
    # Side view, heel on the left: the upper, the opening, a stiletto heel and the sole.
    d.polygon(
        [
            s(70, 250),
            s(120, 235),
            s(250, 330),
            s(400, 395),
            s(425, 430),
            s(400, 445),
            s(250, 440),
            s(160, 380),
            s(80, 330),
        ],
        fill=fill,
        outline=line,
        width=s(5),
    )
    d.polygon([s(118, 240), s(245, 332), s(200, 320), s(110, 262)], fill=_mix(fill, line, 0.55))
    d.polygon([s(80, 330), s(115, 345), s(105, 500), s(92, 500)], fill=line)
    d.line([s(250, 442), s(405, 446)], fill=line, width=s(6))


def _tote(d, s, fill, line, detail):
    d.arc([s(165, 120), s(235, 300)], 180, 360, fill=line, width=s(10))
    d.arc([s(245, 120), s(315, 300)], 180, 360, fill=line, width=s(10))
    d.polygon([s(120, 210), s(360, 210), s(390, 500), s(90, 500)], fill=fill, outline=line, width=s(4))
    d.rectangle([s(215, 250), s(265, 270)], fill=detail)
    d.line([s(105, 460), s(375, 460)], fill=_mix(fill, line, 0.4), width=s(3))


def _necklace(d, s, fill, line, detail):
    d.arc([s(110, 60), s(370, 400)], 20, 160, fill=line, width=s(12))
    d.arc([s(110, 60), s(370, 400)], 20, 160, fill=(214, 178, 94), width=s(6))
    d.polygon(
        [s(240, 390), s(275, 430), s(240, 490), s(205, 430)], fill=fill, outline=(214, 178, 94), width=s(6)
    )
    d.ellipse([s(230, 420), s(250, 440)], fill=detail)


def _watch(d, s, fill, line, detail):
    d.rounded_rectangle([s(195, 60), s(285, 540)], radius=s(20), fill=fill, outline=line, width=s(4))
    d.ellipse([s(135, 190), s(345, 400)], fill=(214, 214, 210), outline=line, width=s(6))
    d.ellipse([s(155, 210), s(325, 380)], fill=(250, 249, 246))
    for angle_x, angle_y in ((240, 225), (310, 295), (240, 365), (170, 295)):
        d.ellipse([s(angle_x - 5), s(angle_y - 5), s(angle_x + 5), s(angle_y + 5)], fill=line)
    d.line([s(240, 295), s(240, 240)], fill=line, width=s(5))
    d.line([s(240, 295), s(285, 310)], fill=line, width=s(4))
    d.rectangle([s(345, 285), s(360, 305)], fill=line)


def _scarf(d, s, fill, line, detail):
    # A long scarf laid in a loose S: two bands, a border stripe and fringes at both ends.
    d.polygon([s(110, 120), s(330, 70), s(360, 160), s(140, 215)], fill=fill, outline=line, width=s(4))
    d.polygon(
        [s(330, 70), s(360, 160), s(170, 470), s(120, 400)],
        fill=_mix(fill, line, 0.2),
        outline=line,
        width=s(4),
    )
    d.polygon([s(120, 400), s(170, 470), s(380, 500), s(370, 430)], fill=fill, outline=line, width=s(4))
    d.line([s(125, 140), s(335, 92)], fill=detail, width=s(5))
    d.line([s(130, 420), s(368, 448)], fill=detail, width=s(5))
    for i in range(9):
        x0, y0 = 110 + i * 3.5, 120 + i * 11
        d.line([s(x0, y0), s(x0 - 24, y0 + 6)], fill=line, width=s(3))
        x1, y1 = 370 + i * 1.2, 430 + i * 8
        d.line([s(x1, y1), s(x1 + 24, y1 + 2)], fill=line, width=s(3))


def _candle(d, s, fill, line, detail):
    d.rounded_rectangle([s(150, 250), s(330, 510)], radius=s(16), fill=fill, outline=line, width=s(4))
    d.ellipse([s(150, 230), s(330, 275)], fill=_mix(fill, (255, 255, 255), 0.35), outline=line, width=s(4))
    d.line([s(240, 252), s(240, 220)], fill=line, width=s(4))
    d.ellipse([s(226, 160), s(254, 222)], fill=(245, 177, 66))
    d.ellipse([s(233, 185), s(247, 218)], fill=(255, 232, 160))
    d.rectangle([s(185, 340), s(295, 410)], fill=(250, 248, 242), outline=line, width=s(2))
    d.line([s(205, 365), s(275, 365)], fill=line, width=s(3))
    d.line([s(215, 385), s(265, 385)], fill=line, width=s(2))


DRAWERS = {
    "Coat": _coat,
    "Dress": _dress,
    "Blazer": _blazer,
    "Knitwear": _knit,
    "Sneakers": _sneaker,
    "Pumps": _pump,
    "Tote": _tote,
    "Necklace": _necklace,
    "Watch": _watch,
    "Scarf": _scarf,
    "Candle": _candle,
}


def render(item_type: str, colour_hex: str) -> bytes:
    """The picture of an item type in a colour, as WebP bytes."""
    fill = _rgb(colour_hex)
    backdrop = (220, 214, 204) if _light(fill) else (243, 241, 237)
    line = _mix(fill, (0, 0, 0), 0.45) if not _light(fill) else _mix(fill, (60, 50, 40), 0.55)
    if fill[0] + fill[1] + fill[2] < 120:  # black: a line lighter than the fill
        line = (90, 90, 96)
    detail = _mix(fill, (255, 255, 255), 0.55)
    image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), backdrop)
    draw = ImageDraw.Draw(image)
    draw.ellipse([70 * SCALE, 520 * SCALE, 410 * SCALE, 575 * SCALE], fill=_mix(backdrop, (0, 0, 0), 0.08))

    def scaled(*values):
        return tuple(round(v * SCALE) for v in values) if len(values) > 1 else round(values[0] * SCALE)

    DRAWERS.get(item_type, _tote)(draw, scaled, fill, line, detail)
    out = BytesIO()
    image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS).save(out, "WEBP", quality=70, method=1)
    return out.getvalue()


def ensure_image(item_type: str, colour: str, colour_hex: str) -> str:
    """The picture's MEDIA URL, drawn and written unless it is there already."""
    name = image_name(item_type, colour)
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(render(item_type, colour_hex)))
    return default_storage.url(name)

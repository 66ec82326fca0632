"""Product photos drawn with Pillow, for the demo data and the image-matching tests: each seed gives a
different photo (background, product, colours, label), with the texture and gradients of a real one, so
that perceptual hashes behave as they do on photographs (docs/intelligence.md)."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter

PRODUCTS = ("handbag", "trainer", "watch", "bottle", "cap")


def product_photo(seed: int, size: tuple[int, int] = (640, 480), label: str = "") -> Image.Image:
    rnd = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    top = [rnd.randint(150, 250) for _ in range(3)]
    bottom = [rnd.randint(40, 140) for _ in range(3)]
    for y in range(height):  # a studio backdrop: a vertical gradient
        t = y / height
        draw.line(
            [(0, y), (width, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    for _ in range(6):  # out-of-focus shapes behind the product
        x, y, r = rnd.randint(0, width), rnd.randint(0, height), rnd.randint(width // 12, width // 4)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rnd.randint(60, 220) for _ in range(3)))
    image = image.filter(ImageFilter.GaussianBlur(width / 80))
    draw = ImageDraw.Draw(image)
    colour = tuple(rnd.randint(20, 200) for _ in range(3))
    dark = tuple(max(0, c - 60) for c in colour)
    cx, cy = width * rnd.uniform(0.4, 0.6), height * rnd.uniform(0.5, 0.65)
    w, h = width * rnd.uniform(0.3, 0.45), height * rnd.uniform(0.3, 0.45)
    kind = PRODUCTS[seed % len(PRODUCTS)]
    box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    if kind == "handbag":
        draw.rounded_rectangle(box, radius=int(w / 10), fill=colour, outline=dark, width=max(2, width // 120))
        draw.arc((cx - w / 4, cy - h, cx + w / 4, cy - h / 4), 180, 360, fill=dark, width=max(3, width // 80))
    elif kind == "trainer":
        draw.polygon(
            [(box[0], box[3]), (box[0], cy), (cx, box[1]), (box[2], cy), (box[2], box[3])],
            fill=colour,
            outline=dark,
        )
        draw.rectangle((box[0], box[3] - h / 6, box[2], box[3]), fill=(240, 240, 240))
    elif kind == "watch":
        draw.rectangle((cx - w / 8, box[1] - h / 3, cx + w / 8, box[3] + h / 3), fill=dark)
        draw.ellipse(
            (cx - w / 3, cy - w / 3, cx + w / 3, cy + w / 3), fill=colour, outline=(230, 230, 230), width=4
        )
    elif kind == "bottle":
        draw.rounded_rectangle((cx - w / 4, box[1], cx + w / 4, box[3]), radius=int(w / 8), fill=colour)
        draw.rectangle((cx - w / 10, box[1] - h / 5, cx + w / 10, box[1]), fill=dark)
    else:
        draw.pieslice((box[0], box[1], box[2], box[3] + h / 2), 180, 360, fill=colour, outline=dark)
    draw.rectangle((cx - w / 5, cy - h / 12, cx + w / 5, cy + h / 12), fill=(245, 245, 240))
    draw.text((cx - w / 6, cy - h / 20), (label or kind.upper())[:12], fill=dark)
    noise = Image.effect_noise(size, 18).convert("RGB")  # sensor noise
    return Image.blend(image, noise, 0.06)


def encoded(image: Image.Image, fmt: str = "JPEG", quality: int = 88) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, quality=quality) if fmt == "JPEG" else image.save(buffer, format=fmt)
    return buffer.getvalue()


def receipt(seed: int, lines: list[str], size: tuple[int, int] = (360, 520)) -> Image.Image:
    """A till receipt: the photo a test buyer takes of what came with the parcel."""
    rnd = random.Random(seed)
    image = Image.new("RGB", size, (250, 248, 240))
    draw = ImageDraw.Draw(image)
    y = 24
    for line in lines:
        draw.text((20, y), line, fill=(30, 30, 30))
        y += 22
    draw.line((20, y + 6, size[0] - 20, y + 6), fill=(120, 120, 120))
    for i in range(rnd.randint(20, 40)):  # a barcode
        x = 30 + i * 7
        draw.rectangle((x, size[1] - 80, x + rnd.randint(1, 4), size[1] - 30), fill=(0, 0, 0))
    return image.rotate(rnd.uniform(-3, 3), fillcolor=(90, 90, 90))

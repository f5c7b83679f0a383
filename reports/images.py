"""Image decoding with a bounded cost: what one photo may take in memory and CPU, and how many
may be decoded at once in this process.

A small file can declare a huge canvas (a 165 KB single-colour PNG of 6,324 × 6,324 px decodes
to ~160 MB of pixels, several copies of it during conversion). So:
- the header is read first and the pixel count capped (`photo_max_pixels`);
- JPEG is decoded at a reduced scale (libjpeg's DCT scaling via `Image.draft`: 1/2, 1/4, 1/8),
  never much larger than the stored size;
- formats that cannot be decoded at a reduced size (PNG, WebP) have a lower cap
  (`photo_max_pixels_full_decode`);
- every step after decoding works on the reduced image, so there is one large buffer at most;
- decoding runs on the job queue's workers, at most `photo_decode_concurrency` at once per worker
  process (jobs/tasks.py); the API only reads the header (`probe_image`) before it answers 202.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from core.config import Settings
from core.errors import fail, field_error

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
REDUCED_DECODE = frozenset({"JPEG"})  # formats Pillow can decode at a fraction of their size
MAX_SIDE_PX = 20_000


@dataclass(frozen=True)
class ProcessedImage:
    content_type: str
    extension: str
    data: bytes
    thumb: bytes
    width_px: int
    height_px: int


def _unsupported():
    return fail("unsupported_image", field_error("file", "사진 파일이 아니거나 지원하지 않는 형식입니다.",
                                                 "Not an image, or not a supported format."))


def _too_many_pixels(limit: int):
    return fail("photo_too_many_pixels", field_error("file", f"{limit:,} 화소 이하로 올려 주세요.",
                                                     f"At most {limit:,} pixels."))


def pixel_limit(fmt: str, settings: Settings) -> int:
    if fmt in REDUCED_DECODE:
        return settings.photo_max_pixels
    return min(settings.photo_max_pixels, settings.photo_max_pixels_full_decode)


def probe_image(raw: bytes, settings: Settings) -> str:
    """The checks the header allows, no pixels decoded: size, type by content, pixel caps. The
    format (JPEG, PNG, WEBP)."""
    if len(raw) > settings.photo_max_bytes:
        raise fail("photo_too_large", field_error("file", "더 작은 사진을 올려 주세요.", "Upload a smaller photo."),
                   max_mb=settings.photo_max_bytes // 1_048_576)
    if not raw:
        raise fail("empty_file", field_error("file", "사진을 골라 주세요.", "Choose a photo."))
    fmt = ""
    try:
        with Image.open(io.BytesIO(raw)) as probe:  # reads the header only
            fmt = probe.format or ""
            if fmt not in FORMATS:
                raise _unsupported()
            limit = pixel_limit(fmt, settings)
            if probe.width * probe.height > limit or max(probe.width, probe.height) > MAX_SIDE_PX:
                raise _too_many_pixels(limit)
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _unsupported() from exc
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(pixel_limit(fmt, settings)) from exc
    return fmt


def process_image(raw: bytes, settings: Settings) -> ProcessedImage:
    """Type by content, pixel caps, reduced decoding, orientation applied, every EXIF/XMP/ICC/text
    chunk dropped (a volunteer's GPS trail is personal), resized and thumbnailed."""
    fmt = probe_image(raw, settings)
    side = settings.photo_max_side_px
    try:
        with decode_reduced(raw, fmt, side) as img:
            mode = "RGBA" if fmt in ("PNG", "WEBP") and img.mode in ("RGBA", "LA", "P", "PA") else "RGB"
            pixels = img if img.mode == mode else img.convert(mode)
            pixels.thumbnail((side, side), Image.Resampling.LANCZOS)
            # Orientation after the resize: the EXIF tag still travels in img's info.
            orientation = img.getexif().get(0x0112, 1)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _unsupported() from exc
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(pixel_limit(fmt, settings)) from exc
    upright = _apply_orientation(pixels, orientation)
    # A fresh image holds pixels only: no EXIF, XMP, ICC profile or text chunks survive.
    clean = Image.new(mode, upright.size)
    clean.paste(upright)
    thumb = clean.copy()
    thumb.thumbnail((settings.photo_thumb_side_px, settings.photo_thumb_side_px), Image.Resampling.LANCZOS)
    content_type, ext = FORMATS[fmt]
    return ProcessedImage(content_type, ext, _encode(clean, fmt), _encode(thumb, fmt), clean.width, clean.height)


def decode_reduced(raw: bytes, fmt: str, side: int) -> Image.Image:
    """The decoded image, as small as the format allows while still ≥ `side` px to fit in a
    `side` × `side` box: JPEG via DCT scaling (1/2, 1/4, 1/8), the others in full."""
    img = Image.open(io.BytesIO(raw))
    scale = side / max(img.width, img.height)
    if fmt in REDUCED_DECODE and scale < 1:
        # The size it will be resized to: draft keeps both sides at least this large.
        img.draft("RGB", (max(1, int(img.width * scale)), max(1, int(img.height * scale))))
    img.load()
    return img


def _apply_orientation(img: Image.Image, orientation: int) -> Image.Image:
    method = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
              5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}.get(orientation)
    return img.transpose(method) if method is not None else img


def _encode(img: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        img.save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "PNG":
        img.save(out, "PNG", optimize=True)
    else:
        img.save(out, "WEBP", quality=85)
    return out.getvalue()

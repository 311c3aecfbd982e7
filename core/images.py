"""Opening images that members upload, safely and cheaply: the one place that does it.

The order matters, because a small file can cost far more to decode than it
weighs (a 120 KB PNG of 40 megapixels takes hundreds of megabytes):

1. The upload's size is checked before Pillow reads a byte.
2. Pillow reads the header only: the type is what Pillow finds, not the file
   name, and a header beyond Pillow's own limit (a decompression bomb) is
   refused.
3. A JPEG is decoded in reduced mode (`Image.draft`: at 1/2, 1/4 or 1/8
   scale by the decoder itself) when the result still has `max_side` pixels,
   so a 50-megapixel phone photo for a 400-pixel avatar decodes to well
   under a megapixel. A progressive JPEG gains little memory from that
   (the decoder keeps every coefficient of the full image), so its full
   header size counts. PNG and WebP have no such mode: they are decoded at
   full size, at several bytes a pixel and some copies on the way.
4. The number of pixels that will be decoded is checked before a single
   pixel is: `max_pixels` for a baseline JPEG (after the reduction) and for
   a progressive one (its full size); the lower `max_full_pixels` for PNG
   and WebP, close to what the site shows. An image above it is refused
   without being decoded (`load()` is never called for it).
5. The pixels are decoded once, shrunk first, and only then turned upright
   (EXIF orientation) and converted, so those steps work on the small image.
6. The result is rebuilt from its bare pixels: no EXIF (so no GPS location,
   camera or date), ICC, XMP or text chunks survive.

Callers choose the format to store and word the message for the member.
`upload_allowed` is the per-member rate limit on decoding uploads (the
"image_upload" rate in ACCOUNT_RATE_LIMITS, counted by allauth's rate
limiter in the shared cache): every form that takes images calls it once per
image before `clean_image`.
"""

import math
import warnings
from dataclasses import dataclass

from allauth.core import ratelimit
from PIL import Image, UnidentifiedImageError
from wagtail.images.models import Filter

FORMATS = {"JPEG", "PNG", "WEBP"}
# Modes that resize well as they are; others are converted before shrinking.
RESIZABLE_MODES = {"RGB", "RGBA", "L", "LA"}
ORIENTATION_TAG = 0x0112
TRANSPOSE_FOR_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
RATE_LIMIT_ACTION = "image_upload"


class ImageRejected(Exception):
    """Why an upload is not acceptable: "too_large", "invalid" or "too_many_pixels".

    For "too_many_pixels", `size` is the (width, height) the header gives
    when it was read (None for a decompression bomb Pillow refused itself)
    and `limit` the number of pixels it was held to.
    """

    def __init__(self, reason, size=None, limit=None):
        super().__init__(reason)
        self.reason = reason
        self.size = size
        self.limit = limit


@dataclass
class CleanImage:
    image: Image.Image  # RGB or RGBA, without metadata
    has_alpha: bool
    source_format: str


def upload_allowed(request):
    """May this member have one more uploaded image decoded now? Counts it."""
    return ratelimit.consume(
        request,
        action=RATE_LIMIT_ACTION,
        user=request.user if request.user.is_authenticated else None,
    )


def _reduce_while_decoding(image, max_side):
    """Let the JPEG decoder scale down (1/2, 1/4, 1/8) as far as still gives
    `max_side` pixels on the long side. Changes image.size; decodes nothing."""
    if image.format != "JPEG":
        return
    width, height = image.size
    factor = max_side / max(width, height)
    if factor >= 1:
        return
    wanted = (max(1, math.ceil(width * factor)), max(1, math.ceil(height * factor)))
    image.draft(image.mode, wanted)


def _has_alpha(image):
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _is_progressive(image):
    return image.format == "JPEG" and bool(
        image.info.get("progressive") or image.info.get("progression")
    )


def clean_image(upload, *, max_bytes, max_pixels, max_side, max_full_pixels=None):
    """The upload as a CleanImage, or ImageRejected.

    `max_pixels` limits the pixels that are decoded (for a baseline JPEG:
    after the reduction above; for a progressive JPEG: its full size);
    `max_full_pixels` (at most `max_pixels`) those of a PNG or WebP, which
    are always decoded at full size; `max_side` is the longest side of the
    result.
    """
    if max_full_pixels is None:
        max_full_pixels = max_pixels
    max_full_pixels = min(max_full_pixels, max_pixels)
    if upload.size > max_bytes:
        raise ImageRejected("too_large")
    try:
        with warnings.catch_warnings():
            # Pillow warns above its own pixel limit and refuses above twice
            # that; either way the image is not acceptable.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            image = Image.open(upload)  # reads the header only
            if image.format not in FORMATS:
                raise ImageRejected("invalid")
            source_format = image.format
            header_size = image.size
            if source_format != "JPEG":
                limit, counted = max_full_pixels, header_size
            elif _is_progressive(image):
                limit, counted = max_pixels, header_size
            else:
                _reduce_while_decoding(image, max_side)
                limit, counted = max_pixels, image.size
            if counted[0] * counted[1] > limit:
                raise ImageRejected("too_many_pixels", size=header_size, limit=limit)
            if _is_progressive(image):
                _reduce_while_decoding(image, max_side)
            image.seek(0)  # the first frame of an animated image
            image.load()  # the one decode
            orientation = image.getexif().get(ORIENTATION_TAG, 1)
            has_alpha = _has_alpha(image)
            target_mode = "RGBA" if has_alpha else "RGB"
            if image.mode not in RESIZABLE_MODES:
                image = image.convert(target_mode)
            # Shrinks in place; reduce() first, then LANCZOS on the rest.
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            method = TRANSPOSE_FOR_ORIENTATION.get(orientation)
            if method is not None:
                image = image.transpose(method)
            image = image.convert(target_mode)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ImageRejected("invalid") from None

    # A new image from the bare pixels carries no metadata at all.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    return CleanImage(clean, has_alpha, source_format)


def rendition(image, spec):
    """`image.get_rendition(spec)`, without writing a rendition found in the
    cache back to it: Wagtail's get_rendition sets the cache on every call,
    so a tag drawn on every request (the og:image) rewrote it each time. A
    miss goes to get_rendition, which finds or makes it and caches it."""
    Rendition = image.get_rendition_model()
    wanted = Filter(spec=spec)
    key = Rendition.construct_cache_key(image, wanted.get_cache_key(image), wanted.spec)
    found = Rendition.cache_backend.get(key)
    if found is None:
        return image.get_rendition(wanted)
    found.image = image  # as Wagtail does: the caller's instance, not a copy
    return found

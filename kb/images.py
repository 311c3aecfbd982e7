"""Opening images that members upload, safely: the one place that does it.

The order matters. The upload's size is checked before Pillow reads a byte;
the image's dimensions (from its header) before its pixels are decoded, so a
small file that claims enormous dimensions (a decompression bomb) is refused
without allocating memory for it; the type is what Pillow finds, not the file
name. The image comes back turned upright according to its EXIF orientation,
shrunk to fit, and rebuilt from its bare pixels: no EXIF (so no GPS location,
camera or date), ICC, XMP or text chunks survive. Callers choose the format
to store and word the message for the member.
"""

import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {"JPEG", "PNG", "WEBP"}


class ImageRejected(Exception):
    """Why an upload is not acceptable: "too_large", "invalid" or "too_many_pixels"."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass
class CleanImage:
    image: Image.Image  # RGB or RGBA, without metadata
    has_alpha: bool
    source_format: str


def clean_image(upload, *, max_bytes, max_pixels, max_side):
    """The upload as a CleanImage, or ImageRejected."""
    if upload.size > max_bytes:
        raise ImageRejected("too_large")
    try:
        with warnings.catch_warnings():
            # Pillow warns above its own pixel limit and refuses above twice
            # that; either way the image is not acceptable.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            image = Image.open(upload)
            if image.format not in FORMATS:
                raise ImageRejected("invalid")
            source_format = image.format
            width, height = image.size
            if width * height > max_pixels:
                raise ImageRejected("too_many_pixels")
            image.seek(0)  # the first frame of an animated image
            image.load()
            image = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ImageRejected("invalid") from None

    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A new image from the bare pixels carries no metadata at all.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    return CleanImage(clean, has_alpha, source_format)

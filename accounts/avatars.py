"""Profile photos: checked, cleaned and shrunk before anything is stored.

The order matters. The upload's size is checked before Pillow reads a byte;
the image's dimensions (from its header) before its pixels are decoded, so a
small file that claims enormous dimensions (a decompression bomb) is refused
without allocating memory for it. What is stored is a freshly encoded image
at most AVATAR_SIZE pixels square, turned upright according to its EXIF
orientation and without any metadata (no location, camera or date), under a
random file name.
"""

import io
import secrets
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


def _invalid():
    return ValidationError(_("Choose a JPEG, PNG or WebP image."), code="invalid_image")


def _too_large_image():
    return ValidationError(
        _("This image has too many pixels. Choose a smaller image."),
        code="too_many_pixels",
    )


def process_avatar(upload):
    """Validate an uploaded file and return a ContentFile to store.

    Raises ValidationError with a message for the member when the file is
    too big, not a JPEG/PNG/WebP image, or has too many pixels.
    """
    max_bytes = settings.AVATAR_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            _("This file is %(size)s; a profile photo may be at most %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)},
            code="file_too_large",
        )
    try:
        with warnings.catch_warnings():
            # Pillow warns (and above twice its limit refuses) on huge images;
            # either way the image is not acceptable as a profile photo.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            image = Image.open(upload)
            if image.format not in ACCEPTED_FORMATS:
                raise _invalid()
            width, height = image.size
            if width * height > settings.AVATAR_MAX_PIXELS:
                raise _too_large_image()
            image.seek(0)  # the first frame of an animated image
            image.load()
            image = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large_image() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _invalid() from None

    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    image = image.convert("RGBA" if has_alpha else "RGB")
    size = settings.AVATAR_SIZE
    image.thumbnail((size, size), Image.Resampling.LANCZOS)
    # A new image from the bare pixels carries no EXIF, ICC or text chunks.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    output = io.BytesIO()
    if has_alpha:
        clean.save(output, format="WEBP", quality=85, method=4)
        extension = "webp"
    else:
        clean.save(output, format="JPEG", quality=85, optimize=True)
        extension = "jpg"
    return ContentFile(output.getvalue(), name=f"{secrets.token_hex(16)}.{extension}")

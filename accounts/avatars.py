"""Profile photos: checked, cleaned and shrunk before anything is stored.

core.images opens the upload safely (size, pixel count, type, decompression
bombs) and strips it of metadata; what is stored is a freshly encoded image
at most AVATAR_SIZE pixels square under a random file name.
"""

import io
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.images import ImageRejected, clean_image


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
    try:
        cleaned = clean_image(
            upload,
            max_bytes=max_bytes,
            max_pixels=settings.AVATAR_MAX_PIXELS,
            max_full_pixels=settings.AVATAR_MAX_FULL_PIXELS,
            max_side=settings.AVATAR_SIZE,
        )
    except ImageRejected as rejected:
        if rejected.reason == "too_large":
            raise ValidationError(
                _("This file is %(size)s; a profile photo may be at most %(max)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "max": filesizeformat(max_bytes),
                },
                code="file_too_large",
            ) from None
        if rejected.reason == "too_many_pixels":
            raise _too_large_image() from None
        raise _invalid() from None
    clean, has_alpha = cleaned.image, cleaned.has_alpha
    output = io.BytesIO()
    if has_alpha:
        clean.save(output, format="WEBP", quality=85, method=4)
        extension = "webp"
    else:
        clean.save(output, format="JPEG", quality=85, optimize=True)
        extension = "jpg"
    return ContentFile(output.getvalue(), name=f"{secrets.token_hex(16)}.{extension}")

"""Checking what members upload before anything is stored.

Images: core.images opens them safely (size, pixel count, type, decompression
bombs), turns them upright and strips every piece of metadata, GPS location
included; what is stored is a freshly encoded image of at most
SUBMISSIONS_IMAGE_MAX_SIDE pixels.

Documents: the extension must be one Wagtail accepts (WAGTAILDOCS_EXTENSIONS),
the size at most SUBMISSIONS_DOCUMENT_MAX_BYTES, and the content must be what
the extension promises (PDF magic bytes, an Office Open XML or OpenDocument
zip with the right parts, text without NUL bytes). A zip document that would
unpack to far more than it weighs (a zip bomb) is refused from its directory,
without unpacking anything.
"""

import io
import os
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.images import ImageRejected, clean_image

TEXT_SAMPLE_BYTES = 64 * 1024
# Zip documents (OOXML, OpenDocument): more members than any office file
# has, or members unpacking to far more than they weigh, are refused
# (settings SUBMISSIONS_DOCUMENT_MAX_UNPACKED_BYTES and _MAX_COMPRESSION_RATIO;
# the ratio counts only above ZIP_RATIO_FLOOR unpacked bytes).
MAX_ZIP_MEMBERS = 2000
ZIP_RATIO_FLOOR = 1024 * 1024
OOXML_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
ODF_MIMETYPES = {
    "odt": b"application/vnd.oasis.opendocument.text",
}


def _too_big(upload, limit):
    return ValidationError(
        _("“%(name)s” is %(size)s; a file may be at most %(max)s.")
        % {
            "name": upload.name,
            "size": filesizeformat(upload.size),
            "max": filesizeformat(limit),
        },
        code="file_too_large",
    )


def _not_an_image(upload):
    return ValidationError(
        _("“%(name)s” is not a JPEG, PNG or WebP image.") % {"name": upload.name},
        code="invalid_image",
    )


def _too_many_pixels(upload, size, limit=None):
    if size is None:
        return ValidationError(
            _("“%(name)s” has too many pixels. Choose a smaller image.")
            % {"name": upload.name},
            code="too_many_pixels",
        )
    return ValidationError(
        _(
            "“%(name)s” is %(width)s × %(height)s pixels; an image may have at most "
            "%(megapixels)s megapixels. Make it smaller (for example 2400 pixels "
            "wide) and add it again."
        )
        % {
            "name": upload.name,
            "width": size[0],
            "height": size[1],
            "megapixels": f"{(limit or settings.SUBMISSIONS_IMAGE_MAX_PIXELS) / 1e6:g}",
        },
        code="too_many_pixels",
    )


def process_image(upload):
    """Validate an uploaded image; return a clean ContentFile to store.

    Raises ValidationError with a message for the member.
    """
    limit = settings.SUBMISSIONS_IMAGE_MAX_BYTES
    try:
        cleaned = clean_image(
            upload,
            max_bytes=limit,
            max_pixels=settings.SUBMISSIONS_IMAGE_MAX_PIXELS,
            max_full_pixels=settings.SUBMISSIONS_IMAGE_MAX_FULL_PIXELS,
            max_side=settings.SUBMISSIONS_IMAGE_MAX_SIDE,
        )
    except ImageRejected as rejected:
        if rejected.reason == "too_large":
            raise _too_big(upload, limit) from None
        if rejected.reason == "too_many_pixels":
            raise _too_many_pixels(upload, rejected.size, rejected.limit) from None
        raise _not_an_image(upload) from None
    clean, has_alpha = cleaned.image, cleaned.has_alpha
    source_format = cleaned.source_format
    output = io.BytesIO()
    if has_alpha or source_format == "PNG":
        clean.save(output, format="PNG", optimize=True)
        extension = "png"
    else:
        clean.save(output, format="JPEG", quality=88, optimize=True)
        extension = "jpg"
    base = os.path.splitext(os.path.basename(upload.name))[0] or "afbeelding"
    return ContentFile(output.getvalue(), name=f"{base}.{extension}")


def _wrong_content(upload, extension):
    return ValidationError(
        _("“%(name)s” is not a valid %(type)s file.")
        % {"name": upload.name, "type": extension.upper()},
        code="invalid_document",
    )


def _zip_bomb(upload, archive):
    """A ValidationError when the archive would unpack to far more than it
    weighs (a zip bomb), judged from its directory without unpacking."""
    members = archive.infolist()
    total = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    ratio = settings.SUBMISSIONS_DOCUMENT_MAX_COMPRESSION_RATIO
    too_much = (
        len(members) > MAX_ZIP_MEMBERS
        or total > settings.SUBMISSIONS_DOCUMENT_MAX_UNPACKED_BYTES
        or (total > ZIP_RATIO_FLOOR and total > ratio * max(packed, 1))
        or any(
            member.file_size > ZIP_RATIO_FLOOR
            and member.file_size > ratio * max(member.compress_size, 1)
            for member in members
        )
    )
    if not too_much:
        # The directory may lie: unpack for real (streaming, nothing kept),
        # stopping as soon as the limits are passed.
        total = 0
        for member in members:
            unpacked = 0
            with archive.open(member) as entry:
                while chunk := entry.read(64 * 1024):
                    unpacked += len(chunk)
                    total += len(chunk)
                    if total > settings.SUBMISSIONS_DOCUMENT_MAX_UNPACKED_BYTES or (
                        unpacked > ZIP_RATIO_FLOOR
                        and unpacked > ratio * max(member.compress_size, 1)
                    ):
                        too_much = True
                        break
            if too_much:
                break
    if not too_much:
        return None
    return ValidationError(
        _(
            "“%(name)s” unpacks to %(size)s, far more than a document needs. "
            "Save it again in your office program, or send it as PDF."
        )
        % {"name": upload.name, "size": filesizeformat(total)},
        code="zip_bomb",
    )


def _check_zip(upload, extension):
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            bomb = _zip_bomb(upload, archive)
            if bomb is not None:
                raise bomb
            names = set(archive.namelist())
            if extension in OOXML_PARTS:
                prefix = OOXML_PARTS[extension]
                return "[Content_Types].xml" in names and any(
                    name.startswith(prefix) for name in names
                )
            if "mimetype" not in names:
                return False
            with archive.open("mimetype") as entry:
                return entry.read(100).strip() == ODF_MIMETYPES[extension]
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return False


def _check_text(upload):
    upload.seek(0)
    sample = upload.read(TEXT_SAMPLE_BYTES)
    if b"\x00" in sample:
        return False
    if len(sample) == TEXT_SAMPLE_BYTES:
        # A multi-byte character may be cut at the end of the sample.
        sample = sample[:-4]
    for encoding in ("utf-8", "cp1252"):
        try:
            sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def check_document(upload):
    """Validate an uploaded document; return it (rewound) or raise ValidationError."""
    extension = os.path.splitext(upload.name)[1].lower().lstrip(".")
    allowed = settings.WAGTAILDOCS_EXTENSIONS
    if extension not in allowed:
        raise ValidationError(
            _("“%(name)s” is not an accepted document type. Accepted: %(types)s.")
            % {"name": upload.name, "types": ", ".join(sorted(allowed))},
            code="invalid_extension",
        )
    limit = settings.SUBMISSIONS_DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise _too_big(upload, limit)
    if extension == "pdf":
        upload.seek(0)
        valid = upload.read(5) == b"%PDF-"
    elif extension in OOXML_PARTS or extension in ODF_MIMETYPES:
        valid = _check_zip(upload, extension)
    elif extension in ("csv", "txt"):
        valid = _check_text(upload)
    else:  # an extension added to the settings without a check here
        valid = False
    if not valid:
        raise _wrong_content(upload, extension)
    upload.seek(0)
    return upload

"""Text from requests, made safe to store.

No database keeps a NUL byte (PostgreSQL refuses it in text and JSON), and
no person types control characters. Django's form fields already refuse NUL
with a message; text that is stored or queried without a form (search
parameters, drafts saved before validation, file names) goes through here.
"""

import unicodedata


def printable(value):
    """`value` without control characters and lone surrogates; tab and newline stay."""
    return "".join(
        char
        for char in value
        if unicodedata.category(char) not in ("Cc", "Cs") or char in "\t\n"
    )

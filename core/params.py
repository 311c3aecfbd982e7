"""Numbers from request parameters, parsed without surprises.

`str.isdigit()` is True for '²' and '٣', and int() takes '٣' but refuses
'²' (ValueError) and any string of more than 4300 digits: checking
`value.isdigit()` and then calling int() fails on what anyone can type.
"""

# The largest id a database integer column holds (PostgreSQL's integer).
MAX_ID = 2**31 - 1


def positive_int(value, maximum=MAX_ID):
    """`value` as an int from 1 to `maximum` if it is written in ASCII digits,
    otherwise None."""
    value = (value or "").strip() if isinstance(value, str) else ""
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(maximum)):
        return None
    number = int(value)
    return number if 1 <= number <= maximum else None

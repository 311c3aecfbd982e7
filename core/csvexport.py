"""CSV files that a spreadsheet opens as data, never as formulas.

Excel, LibreOffice and Google Sheets read a cell that starts with `=`, `+`,
`-` or `@` as a formula (`|` starts a DDE call in some), and a leading tab,
carriage return or line feed lets such a cell slip past some of them. So do
leading spaces, no-break spaces, zero-width characters and a byte order mark,
which a spreadsheet drops before it looks, and the full-width forms (`＝`,
`＋`, `＠`), which some read as their ASCII twins. A member's title or display
name in an export would then run as a formula on an editor's machine (CSV
injection). As OWASP recommends, such a cell gets a single quote in front: a
spreadsheet shows the text as typed and does not evaluate it. Numbers and
dates are written as they are (only text is touched), and the csv module
quotes separators and quotes.

Every CSV the site writes goes through this module: `writer()` for our own
views (`spreadsheet_writer()` for a file meant for Dutch spreadsheets);
`protect_spreadsheet_exports()` (called from kb.apps) makes Wagtail's
SpreadsheetExportMixin, behind every report and listing export of the admin
(site history, locked pages, workflows, aging pages, our own reports), write
its CSV rows and headings through `neutralise`. Its XLSX already stores text
as text.
"""

import csv
import unicodedata

# What a spreadsheet may evaluate when a cell starts with it, after the
# characters of SKIPPED_CATEGORIES and NFKC normalisation.
FORMULA_STARTS = frozenset("=+-@|\t\r\n")
# Separators (spaces, no-break spaces), controls (tab, CR, LF) and format
# characters (zero-width space, byte order mark, direction marks).
SKIPPED_CATEGORIES = frozenset({"Zs", "Cc", "Cf"})


def is_formula(text):
    """Whether a spreadsheet could read the text `text` as a formula."""
    if text[:1] in FORMULA_STARTS:  # a leading tab, CR or LF itself counts
        return True
    for char in text:
        if unicodedata.category(char) in SKIPPED_CATEGORIES:
            continue
        return unicodedata.normalize("NFKC", char)[:1] in FORMULA_STARTS
    return False


def neutralise(value):
    """`value`, with a single quote in front when it is text a spreadsheet
    would read as a formula."""
    if isinstance(value, str) and is_formula(value):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer's interface; every cell, headings included, goes through
    `neutralise`."""

    def __init__(self, file, **options):
        self._writer = csv.writer(file, **options)

    def writerow(self, row):
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(file, **options):
    """A csv.writer for `file` that writes no formulas."""
    return SafeWriter(file, **options)


# A byte order mark: Excel reads a CSV file as UTF-8 only when it starts with
# one (without it, as the Windows code page: "CoÃ¶rdinatie").
BOM = "\ufeff"


class DutchSpreadsheet(csv.excel):
    """The CSV a spreadsheet in a Dutch locale opens as columns by
    double-clicking it: Excel splits on the locale's list separator, which
    is a semicolon wherever the decimal separator is a comma. Lines end in
    CRLF and a field holding a semicolon, a quote or a line break is quoted
    (quotes doubled), as RFC 4180 has it; LibreOffice, Numbers and Google
    Sheets detect the semicolon themselves.

    No "sep=;" line: Excel would then ignore the byte order mark."""

    delimiter = ";"
    quotechar = '"'
    doublequote = True
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL


def spreadsheet_writer(file):
    """A formula-safe writer for `file` in the DutchSpreadsheet dialect,
    after writing the byte order mark: the first thing written to `file`."""
    file.write(BOM)
    return SafeWriter(file, dialect=DutchSpreadsheet)


def protect_spreadsheet_exports():
    """Make every CSV export of Wagtail's SpreadsheetExportMixin formula-safe.

    The mixin writes each row in `write_csv_row` and the headings in
    `stream_csv`; both are replaced on the mixin itself, so Wagtail's reports
    and any view built on it are covered without a mixin per view. Idempotent.
    """
    from wagtail.admin.views.mixins import Echo, SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin, "_kb_formula_safe", False):
        return

    def write_csv_row(self, writer, row_dict):
        return writer.writerow(
            {
                field: neutralise(
                    self.preprocess_field_value(field, value, self.FORMAT_CSV)
                )
                for field, value in row_dict.items()
            }
        )

    def stream_csv(self, queryset):
        writer = csv.DictWriter(Echo(), fieldnames=self.list_export)
        yield writer.writerow(
            {
                field: neutralise(self.get_heading(queryset, field))
                for field in self.list_export
            }
        )
        for item in queryset:
            yield self.write_csv_row(writer, self.to_row_dict(item))

    SpreadsheetExportMixin.write_csv_row = write_csv_row
    SpreadsheetExportMixin.stream_csv = stream_csv
    SpreadsheetExportMixin._kb_formula_safe = True

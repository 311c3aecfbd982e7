"""CSV files that a spreadsheet opens as data, never as formulas.

Excel, LibreOffice and Google Sheets read a cell that starts with `=`, `+`,
`-` or `@` as a formula, and a leading tab or carriage return lets such a
cell slip past some of them. A member's title or display name in an export
would then run as a formula on an editor's machine (CSV injection). As OWASP
recommends, such a cell gets a single quote in front: a spreadsheet shows the
text as typed and does not evaluate it. Numbers and dates are written as they
are (only text is touched), and the csv module quotes separators and quotes.

Every CSV the site writes goes through this module: `writer()` for our own
views, `FormulaSafeExportMixin` for Wagtail's spreadsheet exports (its XLSX
already stores text as text).
"""

import csv

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """`value`, with a single quote in front when it is text a spreadsheet
    would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer's interface; every cell goes through `neutralise`."""

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


class FormulaSafeExportMixin:
    """For a Wagtail view with SpreadsheetExportMixin (reports, listings):
    its CSV export writes no formulas."""

    def write_csv_row(self, writer, row_dict):
        return writer.writerow(
            {
                field: neutralise(
                    self.preprocess_field_value(field, value, self.FORMAT_CSV)
                )
                for field, value in row_dict.items()
            }
        )

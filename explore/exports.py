"""The practices as spreadsheet files: CSV and XLSX, for the same search.

Both read the parameters of the search page and the JSON API
(search.query.parse_params: q, every facet, sort) and hold every matching
practice, up to the deepest result anyone can page to (MAX_RESULT_WINDOW,
10,000), newest first unless a sort is given. Both have the same columns
(`columns()`), so a file opened in Excel and one read by a program agree:

- for a spreadsheet user, each facet's labels ("Acute zorg | Ouderen
  thuis"), and the dates as dates;
- for a re-user, beside each label column the codes (slugs) the JSON API
  and the search URLs use ("acute-zorg | ouderen-thuis"), which stay the
  same when the redactie renames a value.

Several values in one cell are joined with " | ". Dates are the calendar
day in the Netherlands, ISO 8601 (2026-12-03); the JSON API has the
moments themselves.

The CSV is the one Dutch Excel opens by double-clicking
(core.csvexport.DutchSpreadsheet: a byte order mark, semicolons, CRLF);
its cells are formula-safe (a quote before `=`, `+`, `-`, `@`). The XLSX
stores every text as text, never as a formula, so it needs no quote: a
title that starts with "=" shows as typed. It is written by openpyxl in
write-only mode, which keeps one row in memory rather than the workbook.
"""

import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import csvexport
from core.site_url import site_url
from editorial.redirects import merged_slug_redirect
from practices.facets import FACETS
from practices.models import Adoption
from search.query import MAX_RESULT_WINDOW, SearchQuery, parse_params
from search.service import search

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.nl"
JOIN = " | "
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The most characters a spreadsheet cell holds (Excel's limit).
CELL_LIMIT = 32_767


@dataclass(frozen=True)
class Column:
    heading: Any  # a lazy translation
    value: Any  # hit -> str, int, date or None
    width: int  # in characters, for the XLSX


def _labels(key):
    return lambda hit: JOIN.join(label for _value, label in hit.facets.get(key, []))


def _codes(key):
    return lambda hit: JOIN.join(value for value, _label in hit.facets.get(key, []))


def _adopters(hit):
    """The confirmed adoptions: "organisation (region, status)" each."""
    return JOIN.join(
        f"{adoption.organisation} ({adoption.region.name}, {adoption.status_label})"
        for adoption in hit.adoptions
    )


def _day(moment):
    """The calendar day of `moment` in the site's time zone, or None."""
    if moment is None:
        return None
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.date()


def columns():
    """The columns of both files, in order."""
    found = [
        # Not "ID" first: Excel takes a file that starts with "ID" for SYLK.
        Column(gettext_lazy("Title"), lambda hit: hit.title, 45),
        Column(gettext_lazy("Summary"), lambda hit: hit.summary, 70),
        Column(gettext_lazy("Web address"), lambda hit: site_url(hit.url), 50),
    ]
    for facet in FACETS:
        found.append(Column(facet.label, _labels(facet.key), 28))
        heading = format_lazy(gettext_lazy("{facet} (code)"), facet=facet.label)
        found.append(Column(heading, _codes(facet.key), 28))
    found += [
        Column(gettext_lazy("Taken up (count)"), lambda hit: len(hit.adoptions), 10),
        Column(gettext_lazy("Taken up by"), _adopters, 45),
        Column(gettext_lazy("First published"), lambda hit: _day(hit.published_at), 16),
        Column(gettext_lazy("Last updated"), lambda hit: _day(hit.updated_at), 16),
        # The practice's number in the JSON API ("id").
        Column(gettext_lazy("ID"), lambda hit: hit.id, 8),
    ]
    return found


def _matching(request):
    """(every matching hit, None) or (None, the response for bad input)."""
    if redirect := merged_slug_redirect(request):  # a merged thema/organisatie
        return None, redirect
    query, errors = parse_params(request.GET)
    if errors:
        return None, JsonResponse(
            {"errors": [error.as_dict() for error in errors]}, status=400
        )
    everything = SearchQuery(
        text=query.text,
        filters=query.filters,
        sort=query.sort or "newest",
        page=1,
        page_size=MAX_RESULT_WINDOW,
        prefix=query.prefix,
    )
    hits = search(everything).hits
    adopted = Adoption.objects.of_hits(hits)
    for hit in hits:
        hit.adoptions = adopted.get(hit.id, [])
    return hits, None


def attachment(response, name, extension):
    """`response` as a download named after `name` and today, with the open
    data's licence."""
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="vindplaats-{name}-{day}.{extension}"'
    )
    response["Link"] = f'<{LICENCE_URL}>; rel="license"'
    return response


def _csv_cell(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def practices_csv(request):
    """The matching practices as CSV for Dutch spreadsheets."""
    hits, refusal = _matching(request)
    if refusal is not None:
        return refusal
    cols = columns()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csvexport.spreadsheet_writer(response)  # no cell is read as a formula
    writer.writerow([str(column.heading) for column in cols])
    for hit in hits:
        writer.writerow([_csv_cell(column.value(hit)) for column in cols])
    return attachment(response, "praktijkvoorbeelden", "csv")


def _xlsx_value(sheet, value):
    """`value` as openpyxl should store it. Text loses the control
    characters XML cannot carry and what a cell cannot hold; text that
    openpyxl would store as a formula ("=...") or an error ("#N/A") goes in
    a cell marked as text. Dates get openpyxl's yyyy-mm-dd format."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)[:CELL_LIMIT]
    if value.startswith("=") or value in ERROR_CODES:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def workbook(title, headings, rows, widths, document_title):
    """An Excel workbook as bytes, the way every download of the site lays it
    out: one sheet named `title`, the heading row bold and frozen with the
    first column beside it, a filter on every column, each value through
    `_xlsx_value` (text never a formula). `widths` are the columns' widths."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(title)[:31])
    for number, width in enumerate(widths, start=1):  # before the first row
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "B2"  # the headings and the first column stay in view
    bold = Font(bold=True)
    cells = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, value=str(heading))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    count = 1
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{count}"
    book.properties.title = str(document_title)
    book.properties.creator = "Vindplaats"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def practices_xlsx(request):
    """The matching practices as an Excel workbook: one sheet, the same
    columns as the CSV, the heading row bold and frozen with the titles
    beside it, and a filter on every column."""
    hits, refusal = _matching(request)
    if refusal is not None:
        return refusal
    cols = columns()
    content = workbook(
        _("Practice examples"),
        [column.heading for column in cols],
        ([column.value(hit) for column in cols] for hit in hits),
        [column.width for column in cols],
        _("Vindplaats: practice examples"),
    )
    return attachment(
        HttpResponse(content, content_type=XLSX_TYPE), "praktijkvoorbeelden", "xlsx"
    )

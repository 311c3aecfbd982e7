"""Counting searches on the search page for the "Zoektermen" report
(search.terms), whether the page came from the page cache or not."""

from urllib.parse import parse_qs, urlsplit

from search import terms

# The search page names its number of results in this header; the page
# cache keeps it with the page, and this middleware takes it off again.
RESULTS_HEADER = "X-Search-Results"


class SearchTermMiddleware:
    """Sits above core.cache.AnonymousPageCacheMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        results = response.get(RESULTS_HEADER)
        if results is not None:
            del response[RESULTS_HEADER]
        # Only the search page names its results: no need to look at the path.
        if results is not None and response.status_code == 200:
            text = terms.normalise(request.GET.get("q", ""))
            if text and _new_search(request, text):
                terms.record(text, int(results))
        return response


def _new_search(request, text):
    """A first page of results for `text` (normalised) that the visitor was
    not already looking at: ticking a filter, sorting or paging is not a
    new search."""
    if request.GET.get("page", "1") not in ("", "1"):
        return False
    # htmx names the page it is on; a browser the page it came from (on this
    # site, with its query string: Referrer-Policy same-origin).
    came_from = request.headers.get("HX-Current-URL") or request.headers.get("Referer")
    if not came_from:
        return True
    before = urlsplit(came_from)
    if before.path != request.path or before.netloc != request.get_host():
        return True
    typed_before = parse_qs(before.query).get("q", [""])[0]
    return terms.normalise(typed_before) != text

"""Contact persons' email addresses never appear in a public response."""

import re
from urllib.parse import urljoin, urlparse

import pytest

from practices.models import PracticeContact

pytestmark = pytest.mark.django_db

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def crawl(client, start="/", filtered_limit=60):
    """Follow every internal link from the home page; return {url: html}.

    Every path is visited; of the filtered listings (URLs with a query other
    than a page number) only the first `filtered_limit`, since they show the
    same practices again.
    """
    seen, queue, pages, filtered = set(), [start], {}, 0
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        if "?" in url and not re.fullmatch(r"[^?]*\?pagina=\d+", url):
            filtered += 1
            if filtered > filtered_limit:
                continue
        response = client.get(url)
        assert response.status_code == 200, url
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[url] = html
        for href in re.findall(r'href="([^"#]+)', html):
            target = urlparse(urljoin(url, href.replace("&amp;", "&")))
            if target.netloc in ("", "testserver") and not target.path.startswith(
                ("/static/", "/media/", "/admin/", "/documenten/")
            ):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return pages


def test_no_email_address_of_a_contact_person_in_any_public_page(client):
    pages = crawl(client)
    practice_pages = [url for url in pages if url.count("/") == 3 and "?" not in url]
    assert len(practice_pages) >= 120
    emails = set(PracticeContact.objects.values_list("email", flat=True))
    assert len(emails) >= 120
    for url, html in pages.items():
        leaked = emails & set(EMAIL.findall(html))
        assert not leaked, f"{url} shows {leaked}"
        assert "mailto:" not in html, url

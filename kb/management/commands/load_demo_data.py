"""Load the demo site, across every app: taxonomies, the home and content pages,
practices with their images, a regiobeeld and regioplan for a few regions,
the featured practices, an editor, community questions and an editorial
collection.

The project layer (kb) is the one place that may import every app, so the
loader that spans them lives here; each app keeps its own part of the demo
(practices.demo, community.demo, editorial.demo) and this command puts them
in order.

Idempotent: what exists (matched by slug, name or username) is left as it is,
so running it twice changes nothing and never overwrites an editor's work.
The one exception: a content page (Over, Colofon, Contact, Privacy, ...) that
this command wrote and nobody edited since gets the current text of
pages.json, so `make run` on an existing database shows the new pages
(`content_pages`).
"""

import json
import os
import re
import secrets
from pathlib import Path

from tqdm import tqdm
from wagtail.models import Site

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape

from community import relay
from community.demo import load_demo_adoptions, load_demo_questions
from core.site_url import site_url
from editorial.demo import load_demo_collection
from kb.models import HomeFeaturedPractice, HomePage, StandardPage
from practices.demo import (
    Vocabularies,
    assess_practice,
    create_practice,
    load_region_sources,
    practice_illustration,
)
from practices.models import PracticeIndexPage, PracticePage, TargetGroup, Theme
from search import terms as search_terms
from search.query import MAX_PAGE_SIZE, MAX_RESULT_WINDOW

DEMO_DIR = Path(settings.BASE_DIR) / "fixtures" / "demo"
EDITOR_USERNAME = "redactie"


def page_values():
    """What the demo's content pages are written with: the publisher and
    processors (settings.VINDPLAATS_PUBLISHER), retention periods as the
    code and settings keep them, and the addresses they link to."""
    publisher = settings.VINDPLAATS_PUBLISHER
    return {
        "publisher_name": publisher["NAME"],
        "publisher_address": publisher["ADDRESS"],
        "publisher_email": publisher["EMAIL"],
        "publisher_kvk": publisher["KVK"],
        "hosting_provider": publisher["HOSTING"],
        "email_provider": publisher["EMAIL_PROVIDER"],
        "log_days": publisher["LOG_RETENTION_DAYS"],
        "backup_days": publisher["BACKUP_RETENTION_DAYS"],
        "outbox_days": settings.NOTIFICATIONS_EMAIL_RETENTION_DAYS,
        "relay_pending_hours": relay.PENDING_KEEP_HOURS,
        "relay_keep_days": relay.KEEP_DAYS,
        "relay_reported_days": relay.REPORTED_KEEP_DAYS,
        "search_terms_days": search_terms.KEEP_DAYS,
        "site_url": site_url("/"),
        "account_url": reverse("accounts:edit"),
        "account_export_url": reverse("accounts:export"),
        "account_delete_url": reverse("accounts:delete"),
        "notification_settings_url": reverse("notifications:settings"),
        "my_initiatives_url": reverse("submissions:mine"),
        "search_url": reverse("search"),
        "api_url": reverse("api_practices"),
        "csv_url": reverse("api_practices_csv"),
        "xlsx_url": reverse("api_practices_xlsx"),
        "feed_url": reverse("feed_practices"),
        "max_rows": f"{MAX_RESULT_WINDOW:,}".replace(",", "."),
        "max_page_size": MAX_PAGE_SIZE,
    }


PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill(data, values, html=False):
    """`data` (a page of pages.json) with every {name} replaced by its value;
    escaped in the body's HTML, as it is in the title and introduction
    (plain text, escaped where they are shown). An unknown name is an
    error, not a blank."""
    if isinstance(data, dict):
        return {
            key: fill(value, values, html=html or key == "body")
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [fill(value, values, html=html) for value in data]
    if not isinstance(data, str):
        return data

    def value(match):
        text = str(values[match.group(1)])
        return escape(text) if html else text

    return PLACEHOLDER.sub(value, data)


def page_fields(data):
    """The fields of a StandardPage that pages.json gives."""
    return {
        "title": data["title"],
        "intro": data["intro"],
        "body": [{"type": b["type"], "value": b["value"]} for b in data["body"]],
        "show_in_menus": data["show_in_menus"],
    }


def page_fields_of(page):
    """The same fields of a page as it is now."""
    return {
        "title": page.title,
        "intro": page.intro,
        "body": [
            {"type": b["type"], "value": b["value"]} for b in page.body.get_prep_value()
        ],
        "show_in_menus": page.show_in_menus,
    }


def written_by_loader(page):
    """Whether the page's latest revision is this command's: it saves its
    revisions without a user, an editor's always has one."""
    revision = page.latest_revision
    return revision is not None and revision.user_id is None


class Command(BaseCommand):
    help = "Load the demo content (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-editor-password",
            action="store_true",
            help="Give the demo editor account a new random password.",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show a progress bar."
        )

    def handle(self, *args, **options):
        self.progress = not options["no_progress"]
        self.load_taxonomies()
        home = self.home_page()
        index = self.practice_index(home)
        self.content_pages(home)
        created = self.practices(index)
        regions = load_region_sources(self.read("regions.json"))
        self.stdout.write(f"Regiobeeld en regioplan bij {regions} regio's gezet.")
        self.assessments(index)
        self.featured(home)
        self.editor(options["reset_editor_password"])
        questions = load_demo_questions()
        adoptions = load_demo_adoptions()
        load_demo_collection()
        self.stdout.write(
            f"Community: {questions} demovragen en {adoptions} keer overgenomen "
            "toegevoegd."
        )
        total = PracticePage.objects.live().count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo-inhoud klaar: {created} praktijkvoorbeelden toegevoegd, "
                f"{total} gepubliceerd in totaal."
            )
        )

    def read(self, name):
        return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))

    @transaction.atomic
    def load_taxonomies(self):
        data = self.read("taxonomies.json")
        for item in data["themes"]:
            Theme.objects.get_or_create(
                slug=item["slug"],
                defaults={"name": item["name"], "description": item["description"]},
            )
        for item in data["target_groups"]:
            TargetGroup.objects.get_or_create(
                slug=item["slug"], defaults={"name": item["name"]}
            )
        self.stdout.write("Taxonomieën geladen.")

    def home_page(self):
        site = Site.objects.get(is_default_site=True)
        home = site.root_page.specific
        if not isinstance(home, HomePage):
            raise CommandError("De hoofdpagina van de site is geen HomePage.")
        intro = self.read("pages.json")["home"]["intro"]
        if not home.intro:
            home.intro = intro
            home.save_revision().publish()
        return home

    def practice_index(self, home):
        data = self.read("pages.json")["practice_index"]
        index = PracticeIndexPage.objects.child_of(home).first()
        if index is None:
            index = PracticeIndexPage(
                title=data["title"],
                slug=data["slug"],
                intro=data["intro"],
                show_in_menus=True,
            )
            home.add_child(instance=index)
            index.save_revision().publish()
        return index

    def content_pages(self, home):
        """The content pages of pages.json below the home page, with the
        site's own details filled in (`page_values`).

        A page that is missing is added. A page this command wrote, whose
        text in pages.json (or a detail filled into it, such as the
        publisher) has changed since, gets the new text: the command writes
        its revisions without a user, so a page whose latest revision has no
        user is still the demo's own text. A page an editor has saved since
        (published or as a draft) is theirs and is left as it is.
        """
        values = page_values()
        added, updated, kept = [], [], []
        for data in self.read("pages.json")["standard_pages"]:
            data = fill(data, values)
            page = StandardPage.objects.child_of(home).filter(slug=data["slug"]).first()
            if page is None:
                page = StandardPage(slug=data["slug"], **page_fields(data))
                home.add_child(instance=page)
                page.save_revision().publish()
                added.append(data["slug"])
            elif page_fields(data) != page_fields_of(page):
                if not written_by_loader(page):
                    kept.append(data["slug"])
                    continue
                for field, value in page_fields(data).items():
                    setattr(page, field, value)
                page.save_revision().publish()
                updated.append(data["slug"])
        self.stdout.write(
            "Inhoudspagina's klaar"
            + (f"; toegevoegd: {', '.join(added)}" if added else "")
            + (f"; bijgewerkt: {', '.join(updated)}" if updated else "")
            + "."
        )
        if kept:
            self.stdout.write(
                self.style.WARNING(
                    "Door de redactie aangepast, dus niet bijgewerkt naar de "
                    f"nieuwe demotekst: {', '.join(kept)}."
                )
            )

    def practices(self, index):
        files = sorted((DEMO_DIR / "practices").glob("*.json"))
        items = [item for path in files for item in json.loads(path.read_text("utf-8"))]
        existing = set(
            PracticePage.objects.child_of(index).values_list("slug", flat=True)
        )
        todo = [item for item in items if item["slug"] not in existing]
        if not todo:
            self.stdout.write(f"Alle {len(items)} praktijkvoorbeelden bestonden al.")
            return 0
        vocab = Vocabularies()
        positions = {item["slug"]: position for position, item in enumerate(items)}
        for item in tqdm(
            todo,
            desc="Praktijkvoorbeelden",
            unit="pagina",
            disable=not self.progress,
            file=self.stderr,
        ):
            hero = practice_illustration(item, positions[item["slug"]])
            create_practice(index, item, vocab, hero=hero)
        return len(todo)

    def assessments(self, index):
        """The redactie's levels and the werkzame elementen of some demo
        practices (maturity.json), on practices that never had a level."""
        data = self.read("maturity.json")
        pages = PracticePage.objects.child_of(index).filter(slug__in=list(data))
        assessed = sum(assess_practice(page, data[page.slug]) for page in pages)
        if assessed:
            self.stdout.write(f"Niveaus: {assessed} praktijkvoorbeelden beoordeeld.")

    def featured(self, home):
        if home.featured_practices.exists():
            return
        slugs = self.read("pages.json")["featured"]
        practices = {p.slug: p for p in PracticePage.objects.filter(slug__in=slugs)}
        for order, slug in enumerate(slugs):
            if slug in practices:
                HomeFeaturedPractice.objects.create(
                    page=home, practice=practices[slug], sort_order=order
                )

    def editor(self, reset_password):
        User = get_user_model()
        user = User.objects.filter(username=EDITOR_USERNAME).first()
        if user and not reset_password:
            self.stdout.write(
                f"Redactie-account '{EDITOR_USERNAME}' bestaat al; een nieuw "
                "wachtwoord krijg je met --reset-editor-password."
            )
            return
        password = os.environ.get("DEMO_EDITOR_PASSWORD") or secrets.token_urlsafe(12)
        if user is None:
            user = User(
                username=EDITOR_USERNAME,
                email="redactie@example.org",
                first_name="Demo",
                last_name="Redactie",
            )
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(
                "DEMO_EDITOR_PASSWORD is te zwak: " + " ".join(error.messages)
            ) from error
        user.set_password(password)
        user.is_staff = False
        user.save()
        user.groups.add(
            Group.objects.get(name="Editors"), Group.objects.get(name="Moderators")
        )
        self.stdout.write(
            self.style.WARNING(
                f"Redactie-account: gebruikersnaam '{EDITOR_USERNAME}', "
                f"wachtwoord '{password}' (inloggen op /admin/)."
            )
        )

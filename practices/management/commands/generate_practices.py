"""Create N synthetic practices for benchmarks and load tests.

The text is assembled from Dutch building blocks with a seeded random
generator, so the same N and seed give the same corpus. Facet values follow a
skewed spread (a few popular themes and regions, a long tail), like real data.
Pages are inserted live in bulk, without revisions or signals, so 100,000
practices take minutes on a small machine; rebuild the search index after.
"""

import datetime
import json
import random
import re
import uuid

from tqdm import tqdm
from wagtail.models import Page, Site

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import F
from django.utils.html import strip_tags

from practices.demo import STORY_FIELDS, aware_date
from practices.models import (
    CareOfficeRegion,
    Movement,
    Organisation,
    PracticeContact,
    PracticeIndexPage,
    PracticeOrganisation,
    PracticePage,
    TargetGroup,
    Theme,
)

DEMO_PRACTICES = settings.BASE_DIR / "fixtures" / "demo" / "practices"
PLACES = [
    "Assen",
    "Emmen",
    "Leeuwarden",
    "Sneek",
    "Heerenveen",
    "Delfzijl",
    "Veendam",
    "Zwolle",
    "Kampen",
    "Deventer",
    "Enschede",
    "Almelo",
    "Hengelo",
    "Apeldoorn",
    "Zutphen",
    "Arnhem",
    "Ede",
    "Nijmegen",
    "Tiel",
    "Utrecht",
    "Amersfoort",
    "Hilversum",
    "Almere",
    "Lelystad",
    "Den Helder",
    "Alkmaar",
    "Hoorn",
    "Haarlem",
    "Zaandam",
    "Purmerend",
    "Amsterdam",
    "Amstelveen",
    "Hoofddorp",
    "Leiden",
    "Den Haag",
    "Delft",
    "Gouda",
    "Rotterdam",
    "Gorinchem",
    "Spijkenisse",
    "Middelburg",
    "Goes",
    "Terneuzen",
    "Breda",
    "Roosendaal",
    "Tilburg",
    "Oss",
    "'s-Hertogenbosch",
    "Eindhoven",
    "Helmond",
    "Venlo",
    "Roermond",
    "Heerlen",
    "Maastricht",
    "Sittard",
]
SUBJECTS = [
    "valpreventie bij thuiswonende ouderen",
    "telemonitoring bij hartfalen",
    "beeldbellen met de specialist",
    "een wijkgerichte huisartsenpraktijk",
    "medicatiebeoordeling in de apotheek",
    "ondersteuning van mantelzorgers",
    "een regionaal transferpunt",
    "anderhalvelijnszorg voor dermatologie",
    "eerstelijnsverblijf dicht bij huis",
    "een spoedpost voor ouderen",
    "GGZ-consultatie in de huisartsenpraktijk",
    "preventie van eenzaamheid",
    "leefstijlcoaching voor mensen met diabetes",
    "palliatieve zorg aan huis",
    "jeugdhulp op school",
    "COPD-zorg thuis",
    "een dorpscoöperatie voor zorg",
    "digitale triage op de huisartsenpost",
    "een regiobeeld met gedeelde cijfers",
    "taakherschikking naar de verpleegkundig specialist",
    "zorg voor dakloze mensen",
    "een netwerk voor dementiezorg",
    "kraamzorg voor kwetsbare zwangeren",
    "wondzorg door de wijkverpleging",
    "positieve gezondheid in de wijk",
]
PROBLEMS = [
    "Te veel {group} belanden onnodig op de spoedeisende hulp.",
    "De wachtlijsten in {place} liepen op tot maanden.",
    "Huisartsen in {place} en omgeving konden de vraag niet meer aan.",
    "Zorgverleners werkten langs elkaar heen en {group} vielen tussen wal en schip.",
    "Opnames in het ziekenhuis duurden langer dan medisch nodig was.",
    "Inwoners wisten niet waar ze met hun vragen terecht konden.",
    "Door personeelstekort moesten organisaties keuzes maken die niemand wilde.",
    "De kosten van de zorg stegen sneller dan het budget van gemeente en verzekeraar.",
]
APPROACHES = [
    "Een vast team van {org_a} en {org_b} bespreekt wekelijks wat vastloopt.",
    "Patiënten krijgen één aanspreekpunt dat de zorg thuis coördineert.",
    "De specialist kijkt digitaal mee met de huisarts, zonder verwijzing.",
    "Vrijwilligers uit de buurt bezoeken {group} en signaleren problemen vroeg.",
    "Metingen thuis komen binnen bij een verpleegkundige die direct kan bijsturen.",
    "Gemeente en zorgverzekeraar bekostigen samen één arrangement.",
    "Wijkverpleegkundigen krijgen meer ruimte om zelf te indiceren.",
    "Een gedeeld dossier zorgt dat iedereen dezelfde informatie heeft.",
]
RESULTS = [
    "Het aantal SEH-bezoeken daalde met {pct} procent.",
    "{count} {group} werden in het eerste jaar geholpen.",
    "De gemiddelde wachttijd nam af van {weeks} naar {weeks2} weken.",
    "Deelnemers gaven de aanpak gemiddeld een {grade}.",
    "Verwijzingen naar het ziekenhuis namen met {pct} procent af.",
    "Opnames werden gemiddeld {days} dagen korter.",
]
LESSONS = [
    "Het kostte meer tijd dan verwacht om de financiering rond te krijgen.",
    "Zonder een vaste kartrekker verslapte de samenwerking snel.",
    "De ICT-systemen sloten niet op elkaar aan, wat veel handwerk opleverde.",
    "Betrek inwoners vanaf het begin, niet pas bij de evaluatie.",
    "Kleine successen zichtbaar maken hielp om bestuurders aan boord te houden.",
    "Privacyafspraken vroegen om juridisch advies dat we niet hadden begroot.",
]
GROUPS = [
    "ouderen",
    "kwetsbare ouderen",
    "jongeren",
    "gezinnen",
    "mantelzorgers",
    "patiënten met COPD",
    "mensen met diabetes",
    "inwoners",
    "cliënten",
    "mensen met dementie",
    "veelgebruikers",
]
ORG_KINDS = [
    ("Ziekenhuis", "ziekenhuis"),
    ("Huisartsencoöperatie", "huisartsen"),
    ("Zorggroep", "vvt"),
    ("GGZ", "ggz"),
    ("Thuiszorg", "wijkverpleging"),
    ("Fysiotherapie", "paramedisch"),
    ("Gemeente", "gemeente"),
    ("GGD", "ggd"),
    ("Zorgverzekeraar", "zorgverzekeraar"),
    ("Welzijn", "welzijn"),
    ("Cliëntenraad", "clientenorganisatie"),
    ("Kenniscentrum", "kennisinstituut"),
]
FIRST_NAMES = [
    "Anouk",
    "Bram",
    "Fatima",
    "Daan",
    "Eva",
    "Mohamed",
    "Sanne",
    "Thijs",
    "Yara",
    "Joost",
    "Lotte",
    "Kees",
    "Nadia",
    "Ruben",
    "Ingrid",
    "Mehmet",
    "Wendy",
    "Pieter",
]
LAST_NAMES = [
    "de Vries",
    "Jansen",
    "Bakker",
    "El Amrani",
    "Visser",
    "Smit",
    "Meijer",
    "Yilmaz",
    "de Boer",
    "Mulder",
    "Bos",
    "Hendriks",
    "Dekker",
    "van Dijk",
]


def skewed(rng, items, k):
    """Pick k distinct items, the first ones far more often (a long tail)."""
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(items))]
    picked = []
    while len(picked) < min(k, len(items)):
        choice = rng.choices(items, weights=weights)[0]
        if choice not in picked:
            picked.append(choice)
    return picked


def demo_sentences():
    """Every sentence of the demo practices' stories."""
    sentences = []
    for path in sorted(DEMO_PRACTICES.glob("*.json")):
        for practice in json.loads(path.read_text(encoding="utf-8")):
            for field in STORY_FIELDS:
                text = " ".join(strip_tags(practice[field]).split())
                sentences += [
                    s for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 30
                ]
    return sentences


def insert_pages(index, pages):
    """Insert live practice pages below `index` in bulk.

    Wagtail's add_child saves one page at a time with its treebeard
    bookkeeping; for benchmark volumes we compute the tree paths ourselves,
    bulk-insert the Page rows and write the PracticePage rows in one
    executemany. No revisions, no signals: rebuild the search indexes after.
    """
    index.refresh_from_db(fields=["numchild"])
    last = index.get_last_child()
    step = PracticePage._str2int(last.path[-PracticePage.steplen :]) if last else 0
    content_type = ContentType.objects.get_for_model(PracticePage)
    for number, page in enumerate(pages, start=step + 1):
        page.path = PracticePage._get_path(index.path, index.depth + 1, number)
        page.depth = index.depth + 1
        page.numchild = 0
        page.url_path = f"{index.url_path}{page.slug}/"
        page.content_type = content_type
        page.locale_id = index.locale_id
        page.draft_title = page.title
        page.translation_key = uuid.uuid4()
    base_fields = [f.attname for f in Page._meta.concrete_fields if f.attname != "id"]
    created = Page.objects.bulk_create(
        [Page(**{name: getattr(page, name) for name in base_fields}) for page in pages]
    )
    for page, base in zip(pages, created, strict=True):
        page.pk = page.page_ptr_id = base.pk
    own = list(PracticePage._meta.local_concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in own)
    placeholders = ", ".join(["%s"] * len(own))
    table = connection.ops.quote_name(PracticePage._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
            [
                [f.get_db_prep_save(getattr(page, f.attname), connection) for f in own]
                for page in pages
            ],
        )
    Page.objects.filter(pk=index.pk).update(numchild=F("numchild") + len(pages))


class Command(BaseCommand):
    help = "Create N synthetic practices for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--seed", type=int, default=2018)
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, count, seed, batch_size, no_progress, **options):
        if count < 1:
            raise CommandError("Geef een aantal van minstens 1.")
        index = self.practice_index()
        self.rng = random.Random(seed)
        self.regions = list(CareOfficeRegion.objects.select_related("province"))
        self.themes = list(Theme.objects.all())
        self.movements = list(Movement.objects.all())
        self.target_groups = list(TargetGroup.objects.all())
        if not self.themes or not self.target_groups:
            raise CommandError(
                "Geen thema's of doelgroepen: voer eerst load_demo_data uit."
            )
        self.organisations = self.organisation_pool()
        self.sentences = demo_sentences()
        start = PracticePage.objects.filter(slug__startswith="gen-").count()
        progress = tqdm(
            total=count, desc="Synthetische praktijken", disable=no_progress
        )
        done = 0
        while done < count:
            size = min(batch_size, count - done)
            self.create_batch(index, start + done, size)
            done += size
            progress.update(size)
        progress.close()
        self.stdout.write(
            self.style.SUCCESS(f"{count} synthetische praktijken aangemaakt.")
        )

    def practice_index(self):
        site = Site.objects.filter(is_default_site=True).first()
        index = (
            PracticeIndexPage.objects.descendant_of(site.root_page).first()
            if site
            else None
        )
        if index is None:
            raise CommandError(
                "Geen praktijkoverzicht gevonden: voer eerst load_demo_data uit."
            )
        return index

    def organisation_pool(self):
        pool = []
        for place in PLACES:
            for prefix, kind in self.rng.sample(ORG_KINDS, 4):
                organisation, _ = Organisation.objects.get_or_create(
                    name=f"{prefix} {place} (voorbeeld)",
                    defaults={"organisation_type": kind},
                )
                pool.append(organisation)
        return pool

    def borrowed(self, count):
        """A paragraph of sentences taken from the demo practices: real Dutch
        with a wide vocabulary, so text search has something to chew on."""
        return "<p>" + " ".join(self.rng.sample(self.sentences, count)) + "</p>"

    def text(self, templates, **values):
        return self.rng.choice(templates).format(**values)

    def values(self):
        rng = self.rng
        return {
            "place": rng.choice(PLACES),
            "group": rng.choice(GROUPS),
            "org_a": rng.choice(self.organisations).name,
            "org_b": rng.choice(self.organisations).name,
            "pct": rng.randint(5, 45),
            "count": rng.randint(40, 2400),
            "weeks": rng.randint(8, 20),
            "weeks2": rng.randint(1, 7),
            "grade": f"{rng.uniform(6.8, 8.9):.1f}".replace(".", ","),
            "days": rng.randint(1, 6),
        }

    def paragraph(self, templates, sentences):
        return (
            "<p>"
            + " ".join(self.text(templates, **self.values()) for _ in range(sentences))
            + "</p>"
        )

    @transaction.atomic
    def create_batch(self, index, offset, size):
        rng = self.rng
        pages, relations = [], []
        for number in range(offset, offset + size):
            region = skewed(rng, self.regions, 1)[0]
            subject = rng.choice(SUBJECTS)
            place = rng.choice(PLACES)
            published = datetime.date(2019, 6, 1) + datetime.timedelta(
                days=rng.randint(0, 2700)
            )
            page = PracticePage(
                title=f"{subject[0].upper()}{subject[1:]} in {place}",
                slug=f"gen-{number + 1}",
                summary=f"Synthetisch voorbeeld over {subject} in {place}. "
                + self.text(PROBLEMS, **self.values()),
                problem=self.paragraph(PROBLEMS, 1) + self.borrowed(3),
                goal=f"<p>We willen {subject} zo organiseren dat {rng.choice(GROUPS)} "
                "de juiste zorg op de juiste plek krijgen.</p>",
                approach=self.paragraph(APPROACHES, 2) + self.borrowed(4),
                results=self.paragraph(RESULTS, 2) + self.borrowed(2),
                lessons=self.paragraph(LESSONS, 1) + self.borrowed(3),
                next_steps=self.borrowed(2),
                funding=f"<p>Bekostigd door {rng.choice(self.organisations).name}.</p>",
                start_year=rng.randint(2015, 2026),
                phase=rng.choice(PracticePage.Phase.values),
                live=True,
                has_unpublished_changes=False,
                first_published_at=aware_date(published),
                last_published_at=aware_date(published),
                last_reviewed_at=published
                + datetime.timedelta(days=rng.randint(0, 700)),
            )
            pages.append(page)
            relations.append(
                {
                    "provinces": [region.province],
                    "care_office_regions": [region],
                    "themes": skewed(rng, self.themes, rng.randint(1, 3)),
                    "movements": rng.sample(self.movements, rng.randint(1, 2)),
                    "target_groups": skewed(rng, self.target_groups, rng.randint(1, 2)),
                    "organisations": rng.sample(self.organisations, rng.randint(1, 4)),
                }
            )
        insert_pages(index, pages)
        self.write_relations(pages, relations)

    def write_relations(self, pages, relations):
        for field in [
            "provinces",
            "care_office_regions",
            "themes",
            "movements",
            "target_groups",
        ]:
            through = getattr(PracticePage, field).through
            target = PracticePage._meta.get_field(field).related_model._meta.model_name
            through.objects.bulk_create(
                through(practicepage_id=page.pk, **{f"{target}_id": value.pk})
                for page, rel in zip(pages, relations, strict=True)
                for value in rel[field]
            )
        PracticeOrganisation.objects.bulk_create(
            PracticeOrganisation(
                page=page,
                organisation=organisation,
                role=PracticeOrganisation.Role.INITIATOR
                if i == 0
                else PracticeOrganisation.Role.PARTNER,
                sort_order=i,
            )
            for page, rel in zip(pages, relations, strict=True)
            for i, organisation in enumerate(rel["organisations"])
        )
        PracticeContact.objects.bulk_create(
            PracticeContact(
                page=page,
                name=f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}",
                role="Projectleider",
                organisation=rel["organisations"][0].name,
                email=f"contact{page.pk}@example.org",
                sort_order=0,
            )
            for page, rel in zip(pages, relations, strict=True)
        )

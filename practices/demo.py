"""Building blocks for demo and benchmark content.

`load_demo_data` and `generate_practices` both turn a plain dict (the format in
fixtures/demo/FORMAT.md) into a published PracticePage; this module does that
once.
"""

import datetime
import io
import random

from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, PageLogEntry

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .maturity import ACTION as MATURITY_ACTION
from .maturity import log_level_change
from .models import (
    CareOfficeRegion,
    Movement,
    Organisation,
    PracticeContact,
    PracticeIndexPage,
    PracticeLink,
    PracticeOrganisation,
    PracticePage,
    Province,
    TargetGroup,
    Theme,
)

STORY_FIELDS = [
    "problem",
    "goal",
    "approach",
    "results",
    "lessons",
    "next_steps",
    "funding",
]

# Calm palettes for generated illustrations: (background, shape colours).
PALETTES = [
    ("#e3f0f8", ["#0a5a8c", "#5fa8d3", "#f2a65a"]),
    ("#eef6ee", ["#2e7d4f", "#8bc49a", "#f4d35e"]),
    ("#fbf1e6", ["#c8553d", "#f28f3b", "#588b8b"]),
    ("#f1eef8", ["#5b4b8a", "#a393d1", "#f6bd60"]),
    ("#e9f4f4", ["#1f7a7a", "#7cc6c6", "#e76f51"]),
    ("#f7f3e8", ["#8a6d1f", "#d9b44a", "#3d5a80"]),
]
COLOUR_NAMES = {
    "#0a5a8c": "blauw",
    "#2e7d4f": "groen",
    "#c8553d": "terracotta",
    "#5b4b8a": "paars",
    "#1f7a7a": "zeegroen",
    "#8a6d1f": "oker",
}


class Vocabularies:
    """Slug lookups for every vocabulary, loaded once per run."""

    def __init__(self):
        self.provinces = {p.slug: p for p in Province.objects.all()}
        self.regions = {r.slug: r for r in CareOfficeRegion.objects.all()}
        self.themes = {t.slug: t for t in Theme.objects.all()}
        self.movements = {m.slug: m for m in Movement.objects.all()}
        self.target_groups = {t.slug: t for t in TargetGroup.objects.all()}
        self.organisations = {o.name: o for o in Organisation.objects.all()}

    def organisation(self, name, organisation_type):
        organisation = self.organisations.get(name)
        if organisation is None:
            organisation, _ = Organisation.objects.get_or_create(
                name=name, defaults={"organisation_type": organisation_type}
            )
            self.organisations[name] = organisation
        return organisation


# Demo illustrations are small: a card shows 480 x 270, a practice page at
# most about 740 px wide.
ILLUSTRATION_SIZE = (960, 540)


def illustration(name, description, seed, palette_index):
    """A generated abstract illustration as a Wagtail image (idempotent by title)."""
    Image = get_image_model()
    existing = Image.objects.filter(title=name).first()
    if existing:
        return existing
    rng = random.Random(seed)
    background, colours = PALETTES[palette_index % len(PALETTES)]
    width, height = ILLUSTRATION_SIZE
    canvas = PILImage.new("RGB", ILLUSTRATION_SIZE, background)
    draw = ImageDraw.Draw(canvas)
    for _ in range(9):
        colour = rng.choice(colours)
        x = rng.randint(-width // 16, width + width // 16)
        y = rng.randint(-height // 9, height + height // 9)
        r = rng.randint(width // 20, width * 19 // 80)
        if rng.random() < 0.6:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        else:
            draw.rounded_rectangle(
                (x - r, y - r // 2, x + r, y + r // 2), r // 8, fill=colour
            )
    buffer = io.BytesIO()
    canvas.save(buffer, format="JPEG", quality=80, optimize=True)
    collection = demo_collection()
    return Image.objects.create(
        title=name,
        description=description,
        collection=collection,
        file=ImageFile(buffer, name=f"{slugify(name)[:80]}.jpg"),
    )


def demo_collection():
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name="Demo-inhoud").first()
    return existing or root.add_child(name="Demo-inhoud")


def practice_illustration(data, position):
    """The hero image of one demo practice (FORMAT.md dict), drawn for it
    alone: its shapes follow its slug and its palette moves on with every
    practice, so cards side by side never show the same picture."""
    background, colours = PALETTES[position % len(PALETTES)]
    colour = COLOUR_NAMES[colours[0]]
    return illustration(
        f"Illustratie {data['slug']}",
        f"Abstracte illustratie bij “{data['title']}”: ronde vormen in {colour} "
        "en andere rustige kleuren",
        data["slug"],
        position,
    )


def aware_date(value):
    """Midday on a date, in the site's time zone (publication timestamps)."""
    day = datetime.date.fromisoformat(value) if isinstance(value, str) else value
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@transaction.atomic
def create_practice(
    index: PracticeIndexPage, data: dict, vocab: Vocabularies, hero=None
):
    """Create and publish one practice from a FORMAT.md dict; returns the page."""
    page = PracticePage(
        title=data["title"],
        slug=data["slug"],
        summary=data["summary"],
        start_year=data.get("start_year"),
        phase=data["phase"],
        hero_image=hero,
        last_reviewed_at=data.get("last_reviewed"),
        **{field: data.get(field, "") for field in STORY_FIELDS},
    )
    page.provinces = [vocab.provinces[slug] for slug in data["provinces"]]
    page.care_office_regions = [vocab.regions[slug] for slug in data["regions"]]
    page.themes = [vocab.themes[slug] for slug in data["themes"]]
    page.movements = [vocab.movements[slug] for slug in data["movements"]]
    page.target_groups = [vocab.target_groups[slug] for slug in data["target_groups"]]
    roles = [
        (PracticeOrganisation.Role.INITIATOR, org) for org in data["organisations"]
    ]
    roles += [(PracticeOrganisation.Role.PARTNER, org) for org in data["partners"]]
    seen = set()
    links = []
    for role, org in roles:
        organisation = vocab.organisation(org["name"], org["type"])
        if organisation.pk not in seen:
            seen.add(organisation.pk)
            links.append(PracticeOrganisation(organisation=organisation, role=role))
    page.practice_organisations = links
    page.contacts = [
        PracticeContact(
            name=c["name"],
            role=c.get("role", ""),
            organisation=c.get("organisation", ""),
            email=c["email"],
        )
        for c in data["contacts"]
    ]
    page.links = [
        PracticeLink(title=link["title"], url=link["url"]) for link in data["links"]
    ]
    index.add_child(instance=page)
    page.save_revision().publish()
    if data.get("published"):
        published = aware_date(data["published"])
        PracticePage.objects.filter(pk=page.pk).update(
            first_published_at=published, last_published_at=published
        )
    return page


# A4 at 72 dots per inch: the page of a demo regiobeeld or regioplan.
DOCUMENT_PAGE = (595, 842)


def demo_document(title):
    """A one-page PDF standing in for a region's regiobeeld or regioplan
    (idempotent by title): the title and a line saying it is an example."""
    Document = get_document_model()
    existing = Document.objects.filter(title=title).first()
    if existing:
        return existing
    page = PILImage.new("RGB", DOCUMENT_PAGE, "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((0, 0, DOCUMENT_PAGE[0], 90), fill="#0a5a8c")
    draw.text((40, 35), title, fill="white")
    draw.text(
        (40, 130),
        "Voorbeelddocument van de demo van Vindplaats: geen echt regiobeeld "
        "of regioplan.",
        fill="black",
    )
    buffer = io.BytesIO()
    page.save(buffer, format="PDF")
    return Document.objects.create(
        title=title,
        collection=demo_collection(),
        file=ContentFile(buffer.getvalue(), name=f"{slugify(title)[:80]}.pdf"),
    )


@transaction.atomic
def load_region_sources(items):
    """Give a few regions a regiobeeld and regioplan (a document, a link or
    both; fixtures/demo/regions.json), so the region pages and the white
    spots have something to show. A region whose regiobeeld or regioplan
    an editor already set is left as it is. Returns how many changed."""
    changed = 0
    for item in items:
        region = CareOfficeRegion.objects.filter(slug=item["region"]).first()
        if region is None or any(
            (
                region.regiobeeld_url,
                region.regiobeeld_document_id,
                region.regioplan_url,
                region.regioplan_document_id,
            )
        ):
            continue
        for key in ("regiobeeld", "regioplan"):
            source = item[key]
            setattr(region, f"{key}_url", source["url"])
            if source["document"]:
                setattr(region, f"{key}_document", demo_document(source["document"]))
        if item["description"] and not region.description:
            region.description = item["description"]
        region.save()
        changed += 1
    return changed


@transaction.atomic
def assess_practice(page, assessment):
    """Give a demo practice its level, evidence and werkzame elementen from
    fixtures/demo/maturity.json, as the redactie would: a new published
    revision and the level's log entry. Left alone (returns False) when the
    practice has had a level before, so an editor's judgement is never
    overwritten."""
    if PageLogEntry.objects.filter(page=page, action=MATURITY_ACTION).exists():
        return False
    if page.maturity_level or page.werkzame_elementen:
        return False
    latest = page.get_latest_revision_as_object()
    latest.werkzame_elementen = assessment.get("werkzame_elementen", "")
    latest.evaluation = assessment.get("evaluation", "")
    latest.evaluation_description = assessment.get("evaluation_description", "")
    latest.maturity_level = assessment.get("level", "")
    latest.maturity_reason = assessment.get("reason", "")
    if assessment.get("assessed_on"):
        latest.maturity_assessed_on = datetime.date.fromisoformat(
            assessment["assessed_on"]
        )
    latest.save_revision().publish()
    log_level_change(latest, "")
    return True

"""The practice (praktijkvoorbeeld) and the vocabularies that describe it.

Every facet people filter on is a small model with a slug, so the same value
has one stable URL parameter, one label to rename in the admin and one row to
count in search. Phase is the exception: it is a fixed, single-valued status
of the practice itself.
"""

import datetime
import functools
import weakref
from operator import itemgetter

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.documents import get_document_model_string
from wagtail.fields import RichTextField
from wagtail.images import get_image_model_string
from wagtail.models import Orderable, Page, PageManager, PageViewRestriction
from wagtail.query import PageQuerySet
from wagtail.search import index

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.signals import setting_changed
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, connection, connections, models, transaction
from django.db.models import Prefetch
from django.db.models.functions import Lower, Upper
from django.dispatch import receiver
from django.utils.functional import SimpleLazyObject
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.cache import depends_on, model_name, page_name, remembered

from .facets import FACETS, FACETS_BY_KEY
from .panels import MATURITY_PERMISSION, MaturityEvidencePanel

STORY_FEATURES = ["bold", "italic", "ol", "ul", "link"]


def choice_label(instance, name):
    """What `instance.get_<name>_display()` gives (the label of the field's
    value in the active language, or the value itself when it is no choice),
    from each field's labels translated once per language. The stock method
    translates every label of the field again on each call (it hashes them
    all), and a practice page shows a label per organisation."""
    field = instance._meta.get_field(name)
    value = getattr(instance, field.attname)
    return _translated_choices(field, get_language()).get(value, value)


@functools.cache
def _translated_choices(field, language):
    # {value: label} for hashable values only: a choice value is a string here.
    return {value: str(label) for value, label in field.flatchoices}


@receiver(setting_changed)
def _forget_translated_choices(setting, **kwargs):
    """Tests that change the languages or the translations see them."""
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"):
        _translated_choices.cache_clear()


class Vocabulary(models.Model):
    """Fields every facet vocabulary shares: a Dutch label and a URL slug."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        blank=True,
        help_text=_("Used in web addresses; filled in from the name when left empty."),
    )

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Saves; a value someone else added meanwhile (two people adding
        the same theme at the same moment, both past `clean`) is the same
        ValidationError as in `clean`, naming the existing value, instead of
        the database's IntegrityError (the snippet views show it as a form
        error, see practices.wagtail_hooks)."""
        if not self.slug:
            self.slug = slugify(self.name)[: self._meta.get_field("slug").max_length]
        try:
            with transaction.atomic():  # a savepoint: the caller can go on
                super().save(*args, **kwargs)
        except IntegrityError:
            self.check_duplicates()
            raise

    def clean(self):
        """Refuse a value that differs from an existing one only in case,
        accents or punctuation ("ggz" next to "GGZ"): it would get the same
        slug. The message names the existing value. Every form that saves a
        vocabulary value runs this (the snippet editor's model form, and
        anything that calls full_clean)."""
        super().clean()
        self.name = " ".join((self.name or "").split())
        self.check_duplicates()

    def check_duplicates(self):
        """ValidationError when another value has this name (in any case)
        or slug."""
        if not self.name:
            return
        slug = (
            self.slug or slugify(self.name)[: self._meta.get_field("slug").max_length]
        )
        others = type(self)._default_manager.exclude(pk=self.pk)
        same_name = others.filter(name__iexact=self.name).order_by("pk").first()
        same_slug = others.filter(slug=slug).order_by("pk").first()
        if same_name is not None or (same_slug is not None and not self.slug):
            existing = same_name or same_slug
            raise ValidationError(
                {
                    "name": _(
                        "“%(existing)s” already exists and differs only in "
                        "capitals, accents or punctuation. Use “%(existing)s”, "
                        "or choose a clearly different name."
                    )
                    % {"existing": existing.name}
                },
                code="duplicate",
            )
        if same_slug is not None:
            raise ValidationError(
                {
                    "slug": _(
                        "The web address “%(slug)s” is already used by "
                        "“%(existing)s”. Choose another one."
                    )
                    % {"slug": slug, "existing": same_slug.name}
                },
                code="duplicate",
            )


class Province(Vocabulary):
    """The twelve provinces plus "Landelijk" for national initiatives."""

    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class CareOfficeRegion(Vocabulary):
    """A zorgkantoorregio: the unit in which regions make their regiobeeld and plan."""

    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="care_office_regions",
    )
    description = models.TextField(_("description"), blank=True)
    # The region's shared picture of demand and supply, and its plan: a link
    # to where the region publishes it, or a document uploaded here.
    regiobeeld_url = models.URLField(_("regiobeeld (link)"), blank=True)
    regiobeeld_document = models.ForeignKey(
        get_document_model_string(),
        verbose_name=_("regiobeeld (document)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    regioplan_url = models.URLField(_("regioplan (link)"), blank=True)
    regioplan_document = models.ForeignKey(
        get_document_model_string(),
        verbose_name=_("regioplan (document)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("care office region")
        verbose_name_plural = _("care office regions")


class Theme(Vocabulary):
    """Editor-managed themes such as acute zorg or anderhalvelijnszorg."""

    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class Movement(Vocabulary):
    """Voorkomen, verplaatsen, vervangen: the three moves of the JZOJP movement."""

    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("movement")
        verbose_name_plural = _("movements")


class TargetGroup(Vocabulary):
    """Who a practice is for (doelgroep)."""

    class Meta:
        ordering = ["name"]
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


class Organisation(Vocabulary):
    """An organisation behind or partnering in practices, typed for filtering."""

    class Type(models.TextChoices):
        HOSPITAL = "ziekenhuis", _("Hospital")
        GENERAL_PRACTICE = "huisartsen", _("General practitioners (cooperative)")
        ELDERLY_CARE = "vvt", _("Nursing and elderly care (VVT)")
        MENTAL_HEALTH = "ggz", _("Mental health care (GGZ)")
        DISTRICT_NURSING = "wijkverpleging", _("District nursing")
        ALLIED_HEALTH = "paramedisch", _("Allied health care")
        MUNICIPALITY = "gemeente", _("Municipality")
        PUBLIC_HEALTH = "ggd", _("Public health service (GGD)")
        INSURER = "zorgverzekeraar", _("Health insurer or care office")
        WELFARE = "welzijn", _("Welfare")
        CLIENT_ORGANISATION = "clientenorganisatie", _("Patient or client organisation")
        KNOWLEDGE_INSTITUTE = "kennisinstituut", _("Knowledge institute")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        blank=True,
        help_text=_("Used in web addresses; filled in from the name when left empty."),
    )
    organisation_type = models.CharField(
        _("organisation type"), max_length=32, choices=Type.choices
    )
    website = models.URLField(_("website"), blank=True)
    # Organisations a member adds in the submission form wait for the editors.
    is_confirmed = models.BooleanField(
        _("confirmed by the editors"),
        default=True,
        help_text=_(
            "Organisations proposed by members stay unconfirmed until checked."
        ),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    @property
    def type_label(self):
        """get_organisation_type_display(), cheaper (see choice_label)."""
        return choice_label(self, "organisation_type")


class PracticeIndexPage(Page):
    """The list of all practices, newest first; practices live below it."""

    intro = RichTextField(_("introduction"), blank=True, features=STORY_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["kb.HomePage"]
    subpage_types = ["practices.PracticePage"]
    max_count = 1
    page_size = 12

    class Meta:
        verbose_name = _("practice index")

    def practices(self):
        """The practices below this page a visitor can see, newest first."""
        return (
            PracticePage.objects.child_of(self)
            .reachable()
            .order_by("-first_published_at", "-pk")
        )

    def get_context(self, request, *args, **kwargs):
        """The practices, newest first; the cached page is rebuilt when this
        page or any practice is published, unpublished, moved or deleted."""
        depends_on(page_name(self.pk), model_name(PracticePage))
        context = super().get_context(request, *args, **kwargs)
        practices = practices_with_card_data(self.practices())
        paginator = Paginator(practices, self.page_size)
        context["page_obj"] = paginator.get_page(request.GET.get("pagina"))
        return context


class PracticePageQuerySet(PageQuerySet):
    def reachable(self):
        """The practices a visitor can see: the one rule, for search, lists,
        feeds, sitemaps, follows and notifications alike. Live, public (no
        view restriction on the practice or above it) and not inside a
        section that is not live."""
        practices = self.live()
        for path in remembered(PAGE_TREE, hidden_paths):
            practices = practices.exclude(path__startswith=path)
        return practices


# Which pages are live and where they stand, with their view restrictions
# (practices.caching bumps it after any change to them).
PAGE_TREE = model_name(Page)


def hidden_paths():
    """The tree paths under which no page is reachable: sections that are not
    live, and pages with a view restriction (and so everything below them)."""
    sections = Page.objects.not_live().filter(numchild__gt=0)
    restricted = PageViewRestriction.objects.values_list("page__path", flat=True)
    paths = sorted({*sections.values_list("path", flat=True), *restricted})
    # A path inside another one hidden already adds nothing.
    return [
        path
        for index, path in enumerate(paths)
        if not any(path.startswith(other) for other in paths[:index])
    ]


# The story's sections in reading order: (anchor, field, heading). The
# anchors are the page's fragment ids (#aanpak) and the comparison's rows.
STORY_SECTIONS = [
    ("aanleiding", "problem", _("Cause and problem")),
    ("doel", "goal", _("Goal")),
    ("aanpak", "approach", _("Approach")),
    ("werkzame-elementen", "werkzame_elementen", _("What makes it work")),
    ("resultaten", "results", _("Results")),
    ("lessen", "lessons", _("Lessons learned")),
    ("vervolg", "next_steps", _("Follow-up and scaling up")),
    ("bekostiging", "funding", _("Preconditions and funding")),
]


class PracticePage(Page):
    """One praktijkvoorbeeld: the story, its facets, people and sources.

    The story is split into one rich text field per section rather than one
    StreamField, because every practice tells the same structured story: the
    submission form, search weighting and the page layout all address the
    sections by name.
    """

    class Phase(models.TextChoices):
        IDEA = "idee", _("Idea")
        PILOT = "pilot", _("Pilot")
        RUNNING = "lopend", _("Running")
        SCALED_UP = "opgeschaald", _("Scaled up")
        COMPLETED = "afgerond", _("Completed")
        STOPPED = "gestopt", _("Stopped")

    class MaturityLevel(models.TextChoices):
        """The maturity ladder, lowest first (the facet lists it in this
        order). Light on purpose: the redactie's judgement with a reason, not
        an accreditation (the criteria are on the /niveaus/ page)."""

        LOCAL = "lokaal-initiatief", _("Local initiative")
        PROMISING = "veelbelovend", _("Promising")
        GOOD_PRACTICE = "goede-praktijk", _("Good practice")

    class Evaluation(models.TextChoices):
        """What the initiators say about evaluating their practice: evidence
        the redactie weighs when it assigns a level."""

        NOT_YET = "nog-niet", _("Not evaluated yet")
        OWN = "eigen", _("Evaluated by ourselves")
        INDEPENDENT = "onafhankelijk", _("Evaluated independently")

    summary = models.TextField(
        _("summary"),
        max_length=300,
        help_text=_("One or two sentences for cards and search results."),
    )
    hero_image = models.ForeignKey(
        get_image_model_string(),
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    problem = RichTextField(_("cause and problem"), blank=True, features=STORY_FEATURES)
    goal = RichTextField(_("goal"), blank=True, features=STORY_FEATURES)
    approach = RichTextField(_("approach"), blank=True, features=STORY_FEATURES)
    werkzame_elementen = RichTextField(
        _("what makes it work"),
        blank=True,
        features=STORY_FEATURES,
        help_text=_(
            "The werkzame elementen: what makes this approach work, in a few lines."
        ),
    )
    results = RichTextField(_("results"), blank=True, features=STORY_FEATURES)
    lessons = RichTextField(_("lessons learned"), blank=True, features=STORY_FEATURES)
    next_steps = RichTextField(
        _("follow-up and scaling up"), blank=True, features=STORY_FEATURES
    )
    funding = RichTextField(
        _("preconditions and funding"), blank=True, features=STORY_FEATURES
    )
    start_year = models.PositiveSmallIntegerField(
        _("start year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
    )
    phase = models.CharField(
        _("phase"), max_length=16, choices=Phase.choices, default=Phase.RUNNING
    )
    provinces = ParentalManyToManyField(
        Province, verbose_name=_("provinces"), related_name="practices"
    )
    care_office_regions = ParentalManyToManyField(
        CareOfficeRegion,
        verbose_name=_("care office regions"),
        related_name="practices",
        blank=True,
    )
    themes = ParentalManyToManyField(
        Theme, verbose_name=_("themes"), related_name="practices"
    )
    movements = ParentalManyToManyField(
        Movement, verbose_name=_("movements"), related_name="practices"
    )
    target_groups = ParentalManyToManyField(
        TargetGroup,
        verbose_name=_("target groups"),
        related_name="practices",
        blank=True,
    )
    last_reviewed_at = models.DateField(
        _("last reviewed"),
        null=True,
        blank=True,
        help_text=_("When the editors last checked that this story is still right."),
    )
    # The practice this one grew from ("Gebaseerd op"); the source shows it
    # under "Hierop gebaseerd". Emptied, not deleted, when the source goes.
    based_on = models.ForeignKey(
        "practices.PracticePage",
        verbose_name=_("based on"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derived_practices",
        help_text=_("The practice example this initiative grew from, if any."),
    )
    # The evidence the initiators give (the submission form asks for it);
    # the redactie's level below rests on it, on the results section and on
    # the links marked as evaluation.
    evaluation = models.CharField(
        _("evaluation"),
        max_length=16,
        choices=Evaluation.choices,
        blank=True,
        help_text=_("Has the practice been evaluated, and by whom?"),
    )
    evaluation_description = models.TextField(
        _("how it was evaluated"),
        blank=True,
        help_text=_(
            "How the results were measured or evaluated, and what came out, "
            "with figures."
        ),
    )
    # The maturity ladder: only the editors set it (the panel needs
    # practices.assess_maturity), always with a reason and a date; each
    # change is logged in the page's history (practices.wagtail_hooks).
    maturity_level = models.CharField(
        _("level"),
        max_length=20,
        choices=MaturityLevel.choices,
        blank=True,
        help_text=_("Leave empty while the editors have not assessed the practice."),
    )
    maturity_reason = models.TextField(
        _("reason for the level"),
        blank=True,
        help_text=_("Why this level: shown with the level on the practice page."),
    )
    maturity_assessed_on = models.DateField(
        _("level assessed on"), null=True, blank=True
    )

    objects = PageManager.from_queryset(PracticePageQuerySet)()

    # Wagtail's own index serves the admin's page search (and is the stock
    # reference in `make bench`); the public search contract lives in search/.
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("problem"),
        index.SearchField("approach"),
        index.SearchField("werkzame_elementen"),
        index.SearchField("results"),
        index.SearchField("lessons"),
        index.FilterField("phase"),
        index.FilterField("provinces"),
        index.FilterField("care_office_regions"),
        index.FilterField("themes"),
        index.FilterField("movements"),
        index.FilterField("target_groups"),
    ]

    story_panels = [
        FieldPanel("summary"),
        FieldPanel("hero_image"),
        FieldPanel("problem"),
        FieldPanel("goal"),
        FieldPanel("approach"),
        FieldPanel("werkzame_elementen"),
        FieldPanel("results"),
        FieldPanel("lessons"),
        FieldPanel("next_steps"),
        FieldPanel("funding"),
        InlinePanel("gallery_images", label=_("images"), max_num=12),
    ]
    facet_panels = [
        FieldRowPanel([FieldPanel("phase"), FieldPanel("start_year")]),
        FieldPanel("based_on"),
        FieldPanel("provinces", widget=forms.CheckboxSelectMultiple),
        FieldPanel("care_office_regions", widget=forms.CheckboxSelectMultiple),
        FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
        FieldPanel("movements", widget=forms.CheckboxSelectMultiple),
        FieldPanel("target_groups", widget=forms.CheckboxSelectMultiple),
        InlinePanel("practice_organisations", label=_("organisations")),
    ]
    people_panels = [
        InlinePanel("contacts", label=_("contact persons")),
        InlinePanel("links", label=_("links")),
        InlinePanel("documents", label=_("documents")),
    ]
    review_panels = [
        MultiFieldPanel(
            [FieldPanel("last_reviewed_at")], heading=_("Editorial review")
        ),
    ]
    maturity_panels = [
        MultiFieldPanel(
            [
                FieldPanel("evaluation"),
                FieldPanel("evaluation_description"),
            ],
            heading=_("Evidence from the initiators"),
        ),
        MaturityEvidencePanel(heading=_("What the level rests on")),
        MultiFieldPanel(
            [
                FieldPanel(
                    "maturity_level",
                    permission=MATURITY_PERMISSION,
                    widget=forms.RadioSelect,
                ),
                FieldPanel("maturity_reason", permission=MATURITY_PERMISSION),
                FieldPanel("maturity_assessed_on", permission=MATURITY_PERMISSION),
            ],
            heading=_("Level (set by the editors)"),
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(Page.content_panels + story_panels, heading=_("Story")),
            ObjectList(facet_panels, heading=_("Facets")),
            ObjectList(maturity_panels, heading=_("Level")),
            ObjectList(people_panels, heading=_("People and sources")),
            ObjectList(Page.promote_panels + review_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    parent_page_types = ["practices.PracticeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        permissions = [("assess_maturity", _("Can set the level of a practice"))]

    def clean(self):
        """A level needs its reason and the date it was assessed."""
        super().clean()
        if not self.maturity_level:
            return
        errors = {}
        if not (self.maturity_reason or "").strip():
            errors["maturity_reason"] = _(
                "Write why the practice gets this level: the reason is shown "
                "with the level."
            )
        if self.maturity_assessed_on is None:
            errors["maturity_assessed_on"] = _(
                "Fill in the date the level was assessed, for example 3-12-2026."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def phase_label(self):
        """get_phase_display(), cheaper (see choice_label)."""
        return choice_label(self, "phase")

    @property
    def maturity_label(self):
        """The level's label, or "" when not assessed yet."""
        return choice_label(self, "maturity_level") if self.maturity_level else ""

    @property
    def evaluation_links(self):
        """The links the initiators marked as an evaluation or measurement."""
        return [link for link in self.links.all() if link.is_evidence]

    def story_sections(self):
        """The filled-in story sections in reading order, as (id, heading, html);
        each heading is translated once here, not wherever it is shown."""
        return [
            (anchor, str(heading), html)
            for anchor, name, heading in STORY_SECTIONS
            if (html := getattr(self, name))
        ]

    def facet_values(self):
        """(facet, [(value, label), ...]) for every facet this practice has values
        in, in the order of FACETS, each facet's values in its vocabulary's
        order. Organisations (and their types) are left to
        organisations_by_role(), which also tells their role."""
        facets = [
            facet
            for facet in FACETS
            if facet.key not in ("organisatie", "organisatietype", "overgenomen")
        ]
        found = self._vocabulary_values([f for f in facets if f.model is not None])
        groups = []
        for facet in facets:
            if facet.model is None:
                value = getattr(self, facet.lookup)
                values = [(value, choice_label(self, facet.lookup))] if value else []
            else:
                values = found.get(facet.key, [])
            if values:
                groups.append((facet, values))
        return groups

    def _vocabulary_values(self, facets):
        """{facet key: [(slug, name), ...]} of the vocabularies of `facets`, in
        one query. A preview holds its values in memory, and a list page may
        have fetched them already: those are read as they are."""
        held = {
            *getattr(self, "_cluster_related_objects", {}),
            *getattr(self, "_prefetched_objects_cache", {}),
        }
        if self.pk is None or any(facet.relation in held for facet in facets):
            return {
                facet.key: [
                    (v.slug, v.name) for v in getattr(self, facet.relation).all()
                ]
                for facet in facets
            }
        if not facets:
            return {}
        found = {}
        with connection.cursor() as cursor:
            cursor.execute(
                _vocabulary_values_sql(tuple(facet.key for facet in facets)),
                [self.pk] * len(facets),
            )
            # Each vocabulary in its own order (its Meta.ordering), as .all()
            # gives it: the position is the last column.
            for key, slug, name, _position in sorted(
                cursor.fetchall(), key=itemgetter(3)
            ):
                found.setdefault(key, []).append((slug, name))
        return found

    def organisations_by_role(self):
        """Linked organisations split into initiators and partners, in editor order."""
        links = self.children("practice_organisations", "organisation")
        initiators = [link.organisation for link in links if link.is_initiator]
        partners = [link.organisation for link in links if not link.is_initiator]
        return initiators, partners

    @property
    def is_stale(self):
        """Not reviewed by the editors for more than a year."""
        reviewed = self.last_reviewed_at
        return (
            reviewed is None
            or reviewed < datetime.date.today() - datetime.timedelta(days=365)
        )

    def get_cache_key_components(self):
        """Wagtail's page cache key (`cache_key`, which the page's cached
        parts are kept under) also follows the "last reviewed" date, which
        changes without publishing (editorial.freshness)."""
        return [*super().get_cache_key_components(), self.last_reviewed_at]

    def get_context(self, request, *args, **kwargs):
        """What the page's own parts show, loaded only when a part is not in
        the fragment cache (templates/practices/practice_page.html: the parts
        are prepared by practice_fragments; the similar practices and the
        community's questions come from their own apps' tags)."""
        context = super().get_context(request, *args, **kwargs)
        roles = SimpleLazyObject(self.organisations_by_role)
        context["initiators"] = SimpleLazyObject(lambda: roles[0])
        context["partners"] = SimpleLazyObject(lambda: roles[1])
        for name, relation, related in (
            ("contacts", "contacts", "photo"),
            ("gallery_images", "gallery_images", "image"),
            ("links", "links", None),
            ("documents_list", "documents", "document"),
        ):
            context[name] = SimpleLazyObject(
                functools.partial(self.children, relation, related)
            )
        return context

    def children(self, relation, related=None):
        """The rows of one of this practice's lists (its contacts, images,
        links, documents or organisations) in the editors' order, each with
        the object its foreign key `related` points to. One query, written
        once from the models' metadata (_children_sql): a page drawn for the
        first time reads five such lists, and building each query with the
        ORM took several times longer than running it. A preview holds its
        lists in memory: they are read as they are."""
        if self.pk is None or relation in getattr(self, "_cluster_related_objects", {}):
            rows = getattr(self, relation)
            return list(rows.select_related(related) if related else rows.all())
        model = self._meta.get_field(relation).related_model
        sql, own, joined = _children_sql(model, related)
        own_converters, joined_converters = _converters((model, related), own, joined)
        own_names = [field.attname for field in own]
        joined_names = [field.attname for field in joined]
        found = []
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.pk])
            for row in cursor.fetchall():
                child = model.from_db(
                    connection.alias,
                    own_names,
                    _converted(row[: len(own)], own_converters),
                )
                if related:
                    values = row[len(own) :]
                    target = None
                    if values[0] is not None:  # else no related object (LEFT JOIN)
                        target = joined[0].model.from_db(
                            connection.alias,
                            joined_names,
                            _converted(values, joined_converters),
                        )
                    setattr(child, related, target)
                found.append(child)
        return found


class SimilarPractices(models.Model):
    """A practice's "comparable initiatives" as the search engine worked
    them out (practices.similar): stored, so a page drawn for the first time
    reads one row instead of ranking every practice. `items` holds, best
    first, [practice id, {facet key: [values it shares]}, whether its text is
    similar] (rows stored before the values were hold [keys] instead, and
    are worked out again when shown); titles, addresses, phases and whether
    each is still reachable are read from the index when the list is
    shown."""

    page = models.OneToOneField(
        PracticePage,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    items = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("comparable initiatives")
        verbose_name_plural = _("comparable initiatives")

    def __str__(self):
        return str(self.page_id)

    @classmethod
    def stored(cls, pk):
        """(items, computed_at) of practice `pk`'s list, or None: one query
        written once (every first view of a practice page reads it, and
        compiling it with the ORM cost more than running it)."""
        sql, fields = _stored_similar_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
        return (
            None if row is None else tuple(_converted(row, *_converters(cls, fields)))
        )


@functools.cache
def _stored_similar_sql():
    quote = connection.ops.quote_name
    meta = SimilarPractices._meta
    fields = [meta.get_field("items"), meta.get_field("computed_at")]
    columns = ", ".join(quote(field.column) for field in fields)
    sql = (
        f"SELECT {columns} FROM {quote(meta.db_table)} "
        f"WHERE {quote(meta.pk.column)} = %s"
    )
    return sql, fields


@functools.cache
def _vocabulary_values_sql(keys):
    """One UNION ALL over the practice's links to the vocabularies of the
    facets `keys`, as (facet key, slug, name, position in the vocabulary's
    ordering), for a practice id given once per facet. Written once from the
    models' metadata: building the same query with the ORM took longer than
    running it."""
    quote = connection.ops.quote_name
    parts = []
    for key in keys:
        facet = FACETS_BY_KEY[key]
        field = PracticePage._meta.get_field(facet.relation)
        through = field.remote_field.through._meta.db_table
        vocabulary = facet.model._meta
        ordering = ", ".join(
            f"v.{quote(vocabulary.get_field(name.lstrip('-')).column)}"
            + (" DESC" if name.startswith("-") else "")
            for name in vocabulary.ordering or [vocabulary.pk.name]
        )
        parts.append(
            f"SELECT '{key}', v.{quote(vocabulary.get_field('slug').column)}, "
            f"v.{quote(vocabulary.get_field('name').column)}, "
            f"ROW_NUMBER() OVER (ORDER BY {ordering}) "
            f"FROM {quote(vocabulary.db_table)} v JOIN {quote(through)} t "
            f"ON t.{quote(field.m2m_reverse_name())} = v.{quote(vocabulary.pk.column)} "
            f"WHERE t.{quote(field.m2m_column_name())} = %s"
        )
    return " UNION ALL ".join(parts)


@functools.cache
def _children_sql(model, related):
    """The query of PracticePage.children for the list `model` (its rows
    have a `page` key), joined to the model of its foreign key `related`:
    (SQL taking the practice's id, the list's fields, the joined fields;
    the first joined field is the primary key)."""
    quote = connection.ops.quote_name
    own = list(model._meta.concrete_fields)
    columns = [f"t.{quote(field.column)}" for field in own]
    join = ""
    joined = []
    if related:
        key = model._meta.get_field(related)
        target = key.related_model._meta
        joined = [target.pk, *(f for f in target.concrete_fields if f != target.pk)]
        columns += [f"r.{quote(field.column)}" for field in joined]
        join = (
            f" LEFT JOIN {quote(target.db_table)} r "
            f"ON r.{quote(target.pk.column)} = t.{quote(key.column)}"
        )
    ordering = ", ".join(
        f"t.{quote(model._meta.get_field(name.lstrip('-')).column)}"
        + (" DESC" if name.startswith("-") else "")
        for name in [*model._meta.ordering, model._meta.pk.name]
    )
    page = quote(model._meta.get_field("page").column)
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(model._meta.db_table)} t{join} "
        f"WHERE t.{page} = %s ORDER BY {ordering}"
    )
    return sql, own, joined


# {database connection: {key: converters}}: what `_converters` worked out,
# kept per connection (a converter may be a method of the connection's
# operations) and dropped with it.
_converters_by_connection = weakref.WeakKeyDictionary()


def _converters(key, *field_lists):
    """For each list of fields, what the ORM does to the value of each field
    as the database gives it (a date from SQLite's text, say):
    [(position, column, [converter, ...])]. Worked out once per connection
    for the query `key` names (the lists are always the same for a key),
    like the SQL they go with: asking every field for its converters on each
    first view of a page cost more than converting the values."""
    wrapper = connections[connection.alias]
    known = _converters_by_connection.setdefault(wrapper, {})
    found = known.get(key)
    if found is None:
        found = known[key] = [_work_out_converters(fields) for fields in field_lists]
    return found


def _work_out_converters(fields):
    found = []
    for position, field in enumerate(fields):
        column = field.get_col(field.model._meta.db_table)
        converters = connection.ops.get_db_converters(
            column
        ) + column.get_db_converters(connection)
        if converters:
            found.append((position, column, converters))
    return found


def _converted(values, converters):
    values = list(values)
    for position, column, functions in converters:
        value = values[position]
        for function in functions:
            value = function(value, column, connection)
        values[position] = value
    return values


class PracticeOrganisation(Orderable):
    """An organisation's part in a practice: initiator or partner."""

    class Role(models.TextChoices):
        INITIATOR = "initiatiefnemer", _("Initiator")
        PARTNER = "partner", _("Partner")

    page = ParentalKey(
        PracticePage, on_delete=models.CASCADE, related_name="practice_organisations"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="practice_links",
    )
    role = models.CharField(
        _("role"), max_length=16, choices=Role.choices, default=Role.INITIATOR
    )

    panels = [FieldPanel("organisation"), FieldPanel("role")]

    class Meta(Orderable.Meta):
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"

    @property
    def is_initiator(self):
        return self.role == self.Role.INITIATOR


class PracticeContact(Orderable):
    """A person visitors can reach about the practice.

    The email address is stored for the contact form to relay messages to; it
    is never rendered into a page, feed or API response.
    """

    page = ParentalKey(PracticePage, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role"), max_length=120, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    photo = models.ForeignKey(
        get_image_model_string(),
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    email = models.EmailField(
        _("email address"),
        help_text=_("Never shown on the site; messages from the contact form go here."),
    )
    # The address as the practice's owner entered it through the submission
    # form (submissions.services): the owner sees an address in their update
    # draft only while it is still this one. Empty for what the editors
    # entered, so the owner never sees those (and nothing unrecorded).
    email_entered_by_owner = models.EmailField(blank=True, default="", editable=False)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("role")]),
        FieldPanel("organisation"),
        FieldPanel("photo"),
        FieldPanel("email"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        indexes = [
            # A member's verified address matched against the contacts
            # (community.authors: the "initiatiefnemer" badge) is an
            # `email__iexact`, UPPER(email) = UPPER(%s) on PostgreSQL:
            # without it every post's badge hashed every contact.
            models.Index(Upper("email"), name="practice_contact_email_upper"),
        ]

    def __str__(self):
        return self.name

    @property
    def anchor(self):
        """The id of this person's block on the practice page."""
        return f"contactpersoon-{self.pk}"

    @property
    def initials(self):
        """First letters of the first and last name, for a photo placeholder."""
        parts = self.name.split() or ["?"]
        return (parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")).upper()


class PracticeGalleryImage(Orderable):
    page = ParentalKey(
        PracticePage, on_delete=models.CASCADE, related_name="gallery_images"
    )
    image = models.ForeignKey(
        get_image_model_string(),
        verbose_name=_("image"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    caption = models.CharField(_("caption"), max_length=250, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]


class PracticeLink(Orderable):
    page = ParentalKey(PracticePage, on_delete=models.CASCADE, related_name="links")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("web address"))
    is_evidence = models.BooleanField(
        _("evaluation or measurement"),
        default=False,
        help_text=_("This link is an evaluation or a measurement of the results."),
    )

    panels = [FieldPanel("title"), FieldPanel("url"), FieldPanel("is_evidence")]

    def __str__(self):
        return self.title


class PracticeDocument(Orderable):
    page = ParentalKey(PracticePage, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to use the document's own title."),
    )

    panels = [FieldPanel("document"), FieldPanel("title")]

    @property
    def display_title(self):
        return self.title or self.document.title


# Every facet vocabulary: what editors rename, and what search and the page
# cache must follow.
VOCABULARY_MODELS = [
    Province,
    CareOfficeRegion,
    Theme,
    Movement,
    TargetGroup,
    Organisation,
]


class AdoptionQuerySet(models.QuerySet):
    def confirmed(self):
        """What the site shows: confirmed by the editors."""
        return self.filter(review=Adoption.Review.CONFIRMED)

    def pending(self):
        return self.filter(review=Adoption.Review.PENDING)

    def by_practice(self, ids):
        """{practice id: [confirmed adoption, ...]} for these practices, in
        one query (the API and the spreadsheets list them per practice)."""
        found = {}
        for adoption in (
            self.confirmed()
            .filter(practice_id__in=ids)
            .select_related("region")
            .order_by("practice_id", "region__name", "organisation", "pk")
        ):
            found.setdefault(adoption.practice_id, []).append(adoption)
        return found

    def of_hits(self, hits):
        """`by_practice` for search hits (search.query.Hit), asking only for
        those the index counts as taken up elsewhere (their "overgenomen"
        value, which the same record shows): a page of hits none of which
        was taken up costs no query."""
        return self.by_practice(
            [hit.id for hit in hits if hit.facets.get("overgenomen")]
        )


class Adoption(models.Model):
    """ "Wij zijn hier ook mee aan de slag": an organisation that took up (or
    is taking up) a practice elsewhere, as a member recorded it.

    It shows on the practice page, on its map and in search (the practice's
    document counts the confirmed ones) only once the editors confirmed it:
    anyone may claim anything, and a count people sort by must be true. The
    member who recorded it is who visitors write to (through the contact
    relay, never seeing the address); one member records one organisation's
    adoption of a practice once and edits that row afterwards.
    """

    class Status(models.TextChoices):
        ORIENTING = "orienterend", _("Orienting")
        UNDER_WAY = "bezig", _("Under way")
        ADOPTED = "ingevoerd", _("Adopted")
        STOPPED = "gestopt", _("Stopped")

    class Review(models.TextChoices):
        PENDING = "pending", _("Waiting for the editors")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    # The value of the search facet "overgenomen" (practices.facets) of a
    # practice with a confirmed adoption.
    class Uptake(models.TextChoices):
        ELSEWHERE = "elders", _("Taken up elsewhere")

    practice = models.ForeignKey(
        PracticePage,
        verbose_name=_("practice"),
        on_delete=models.CASCADE,
        related_name="adoptions",
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adoptions",
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    region = models.ForeignKey(
        CareOfficeRegion,
        verbose_name=_("care office region"),
        on_delete=models.PROTECT,
        related_name="adoptions",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.UNDER_WAY
    )
    note = models.TextField(_("short note"), max_length=500, blank=True)
    own_practice = models.ForeignKey(
        PracticePage,
        verbose_name=_("own practice example"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    url = models.URLField(_("link to your own initiative"), blank=True)
    review = models.CharField(
        _("review"),
        max_length=16,
        choices=Review.choices,
        default=Review.PENDING,
        db_index=True,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    reviewed_at = models.DateTimeField(
        _("reviewed at"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        ordering = ["region__name", "organisation", "pk"]
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        constraints = [
            # One member records one organisation's adoption once (names
            # compared without case): a second time edits the first.
            models.UniqueConstraint(
                models.F("practice"),
                models.F("member"),
                Lower("organisation"),
                name="unique_adoption_per_member_organisation",
            )
        ]

    def __str__(self):
        return f"{self.organisation} ({self.region})"

    @property
    def status_label(self):
        return choice_label(self, "status")

    @property
    def review_label(self):
        return choice_label(self, "review")

    @property
    def anchor(self):
        """The id of this adoption on the practice page."""
        return f"overgenomen-{self.pk}"


def practices_with_card_data(queryset):
    """Prefetch what a practice card shows (includes/practice_card.html), in
    one place for every listing: one query per list of values, none per card.
    The initiating organisations are in `card_initiators`."""
    return queryset.select_related("hero_image").prefetch_related(
        Prefetch("provinces", queryset=Province.objects.only("name", "slug")),
        Prefetch(
            "care_office_regions",
            queryset=CareOfficeRegion.objects.only("name", "slug"),
        ),
        Prefetch("themes", queryset=Theme.objects.only("name", "slug")),
        Prefetch(
            "practice_organisations",
            queryset=PracticeOrganisation.objects.filter(
                role=PracticeOrganisation.Role.INITIATOR
            ).select_related("organisation"),
            to_attr="card_initiators",
        ),
    )

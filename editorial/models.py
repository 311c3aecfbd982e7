"""What the redactie keeps: curated collections, merged slugs, sent reminders.

A Collection is a snippet: a titled, ordered list of practices the editors
pick (for example "Acute zorg voor ouderen"), shown at /collecties/<slug>/.
A SlugRedirect remembers the slug of a theme or organisation that was merged
into another, so old search links keep working. A ReviewReminder records the
yearly email asking a practice's owner whether the story is still current.
"""

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, PageChooserPanel
from wagtail.models import Orderable
from wagtail.search import index

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from practices.models import PracticePage, practices_with_card_data


class Collection(index.Indexed, ClusterableModel):
    """A curated, ordered selection of practices."""

    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        blank=True,
        help_text=_("Used in web addresses; filled in from the title when left empty."),
    )
    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("A few sentences above the practices: why these belong together."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("intro"),
        InlinePanel("items", label=_("practices"), min_num=1, max_num=30),
    ]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        ordering = ["title"]
        verbose_name = _("collection")
        verbose_name_plural = _("collections")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.title)[:120]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("editorial:collection", args=[self.slug])

    def practice_ids(self):
        return list(
            dict.fromkeys(
                item.practice_id for item in self.items.all() if item.practice_id
            )
        )

    def live_practices(self):
        """The practices of this collection a visitor can see, in the editors' order
        (three queries, whatever the number of practices)."""
        ids = self.practice_ids()
        found = {
            practice.pk: practice
            for practice in practices_with_card_data(
                PracticePage.objects.reachable().filter(pk__in=ids)
            )
        }
        return [found[pk] for pk in ids if pk in found]


class CollectionPractice(Orderable):
    collection = ParentalKey(Collection, on_delete=models.CASCADE, related_name="items")
    practice = models.ForeignKey(
        PracticePage,
        verbose_name=_("practice"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [PageChooserPanel("practice", "practices.PracticePage")]

    class Meta(Orderable.Meta):
        verbose_name = _("practice in a collection")
        verbose_name_plural = _("practices in a collection")
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "practice"], name="collection_practice_once"
            )
        ]


class SlugRedirect(models.Model):
    """The slug of a merged theme or organisation and where it went."""

    class Facet(models.TextChoices):
        THEME = "thema", _("Theme")
        ORGANISATION = "organisatie", _("Organisation")

    facet = models.CharField(_("facet"), max_length=20, choices=Facet.choices)
    old_slug = models.SlugField(_("old slug"), max_length=200)
    new_slug = models.SlugField(_("new slug"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("merged slug")
        verbose_name_plural = _("merged slugs")
        constraints = [
            models.UniqueConstraint(
                fields=["facet", "old_slug"], name="slug_redirect_once"
            )
        ]

    def __str__(self):
        return f"{self.facet}: {self.old_slug} → {self.new_slug}"


class ReviewReminder(models.Model):
    """A yearly "is this still current?" email sent about a practice."""

    page = models.ForeignKey(
        PracticePage, on_delete=models.CASCADE, related_name="review_reminders"
    )
    sent_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("review reminder")
        verbose_name_plural = _("review reminders")

    def __str__(self):
        return f"{self.page_id} @ {self.sent_at:%Y-%m-%d}"

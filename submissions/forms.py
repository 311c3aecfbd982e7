"""The "Deel jouw initiatief" form: one form for the practice, three row sets.

A draft is stored the way it was typed (see `raw_data`), without validation,
so nothing is ever lost; sending in binds these forms to the posted data and
validates everything, with a Dutch message per field. Files are handled by
the view (they are stored as soon as they are uploaded, see files.py).
"""

import datetime

from django import forms
from django.core.validators import MaxValueValidator
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from core.forms import ModelMultipleChoiceField
from core.text import printable
from editorial.models import SlugRedirect
from practices.models import (
    CareOfficeRegion,
    Movement,
    Organisation,
    PracticeLink,
    PracticeOrganisation,
    PracticePage,
    Province,
    TargetGroup,
    Theme,
)

STORY_MAX_LENGTH = 10_000
FIRST_YEAR = 1990
MAX_ORGANISATIONS = 10
MAX_CONTACTS = 5
MAX_LINKS = 10
# Empty rows shown below the filled ones (more appear after saving).
EXTRA_ROWS = 2

STORY_HELP = _(
    "Plain text: an empty line starts a new paragraph. You may use **bold**, "
    "*italic*, lists (lines starting with - or 1.) and links like "
    "[text](https://…). HTML is shown as typed."
)

# The story sections in reading order: (form field, label, help, required).
STORY_FIELDS = [
    (
        "problem",
        _("Cause and problem"),
        _("What was the reason to start? Which problem in care did you see?"),
        True,
    ),
    ("goal", _("Goal"), _("What do you want to achieve, and for whom?"), True),
    (
        "approach",
        _("Approach"),
        _("What do you do, with whom, and how is it organised?"),
        True,
    ),
    (
        "werkzame_elementen",
        _("What makes it work"),
        _(
            "The werkzame elementen: what makes your approach work, in a few "
            "lines. What would others have to copy to get the same results?"
        ),
        False,
    ),
    (
        "results",
        _("Results"),
        _("What has it brought so far? Figures, experiences of patients and staff."),
        False,
    ),
    (
        "lessons",
        _("Lessons learned"),
        _("What would you tell others who want to start something similar?"),
        False,
    ),
    (
        "next_steps",
        _("Follow-up and scaling up"),
        _("What are the next steps? Is it being scaled up or taken over elsewhere?"),
        False,
    ),
    (
        "funding",
        _("Preconditions and funding"),
        _("How is it paid for, and what was needed to make it work?"),
        False,
    ),
]
STORY_FIELD_NAMES = [name for name, *_rest in STORY_FIELDS]
EVALUATION_MAX_LENGTH = 3_000
# The evidence the editors weigh when they assign a level (the maturity
# ladder): carried into the practice draft as it is typed.
EVIDENCE_FIELD_NAMES = ["evaluation", "evaluation_description"]


def _checkboxes(queryset, label, help_text, required):
    return ModelMultipleChoiceField(
        queryset=queryset,
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one.")},
    )


class PracticeForm(forms.Form):
    title = forms.CharField(
        label=_("Name of the initiative"),
        max_length=120,
        help_text=_(
            "A short, recognisable name, for example “Wijkverpleging op afroep”."
        ),
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=PracticePage._meta.get_field("summary").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One or two sentences that appear in search results "
            "(at most 300 characters)."
        ),
    )
    provinces = _checkboxes(
        Province.objects.all(),
        _("Province"),
        _(
            "Where does the initiative take place? "
            "Choose “Landelijk” for national ones."
        ),
        True,
    )
    care_office_regions = _checkboxes(
        CareOfficeRegion.objects.all(),
        _("Care office region"),
        _("The zorgkantoorregio's the initiative works in, if you know them."),
        False,
    )
    themes = _checkboxes(
        Theme.objects.all(),
        _("Theme"),
        _("What is the initiative about?"),
        True,
    )
    movements = _checkboxes(
        Movement.objects.all(),
        _("Movement"),
        _("Does it prevent care, move it closer to home, or replace it?"),
        True,
    )
    target_groups = _checkboxes(
        TargetGroup.objects.all(),
        _("Target group"),
        _("For whom is the initiative?"),
        False,
    )
    phase = forms.ChoiceField(
        label=_("Phase"),
        choices=PracticePage.Phase.choices,
        initial=PracticePage.Phase.RUNNING,
        widget=forms.RadioSelect,
        help_text=_("How far along is the initiative now?"),
        error_messages={"required": _("Choose the phase.")},
    )
    start_year = forms.IntegerField(
        label=_("Start year"),
        required=False,
        min_value=FIRST_YEAR,
        help_text=_("The year the initiative started, for example 2021."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Fill in a year, for example 2021."),
            "min_value": _("The start year can be no earlier than %(limit_value)s."),
        },
    )

    evaluation = forms.ChoiceField(
        label=_("Has the initiative been evaluated?"),
        choices=PracticePage.Evaluation.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "The editors use this to give the initiative a level: local "
            "initiative, promising (results measured) or good practice "
            "(evaluated, and taken up elsewhere)."
        ),
    )
    evaluation_description = forms.CharField(
        label=_("How did you measure or evaluate the results?"),
        required=False,
        max_length=EVALUATION_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Who evaluated, how, and what came out, with figures where you "
            "have them. Mark links to a report under Links."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, help_text, required in STORY_FIELDS:
            self.fields[name] = forms.CharField(
                label=label,
                required=required,
                max_length=STORY_MAX_LENGTH,
                help_text=f"{help_text} {STORY_HELP}",
                widget=forms.Textarea(attrs={"rows": 8}),
                strip=True,
            )
        this_year = datetime.date.today().year
        self.fields["start_year"].validators.append(
            MaxValueValidator(
                this_year + 1,
                message=_("The start year can be at most %(limit_value)s."),
            )
        )
        self.fields["start_year"].widget.attrs.update(
            {"min": FIRST_YEAR, "max": this_year + 1}
        )
        self.fields["title"].error_messages["required"] = _(
            "Fill in the name of the initiative."
        )
        self.fields["summary"].error_messages["required"] = _("Write a short summary.")
        for name, _label, _help, required in STORY_FIELDS:
            if required:
                self.fields[name].error_messages["required"] = _(
                    "Fill in this part of the story."
                )

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean_summary(self):
        return " ".join(self.cleaned_data["summary"].split())

    def clean(self):
        data = super().clean()
        evaluated = data.get("evaluation") in (
            PracticePage.Evaluation.OWN,
            PracticePage.Evaluation.INDEPENDENT,
        )
        if evaluated and not data.get("evaluation_description"):
            self.add_error(
                "evaluation_description",
                _(
                    "You say the initiative has been evaluated: describe in a "
                    "few lines how, and what came out."
                ),
            )
        return data

    @property
    def evidence_fields(self):
        return [self[name] for name in EVIDENCE_FIELD_NAMES]

    @property
    def story_fields(self):
        return [self[name] for name in STORY_FIELD_NAMES]


def find_organisation(name):
    """An existing organisation with this name, ignoring case and punctuation."""
    if not name:
        return None
    slug = slugify(name)[:200]
    found = (
        Organisation.objects.filter(Q(name__iexact=name) | Q(slug=slug))
        .order_by("-is_confirmed", "pk")
        .first()
    )
    if found is None:
        # Merged away: the organisation it went into.
        merged = SlugRedirect.objects.filter(facet="organisatie", old_slug=slug).first()
        if merged:
            found = Organisation.objects.filter(slug=merged.new_slug).first()
    return found


class RowForm(forms.Form):
    """One row of a repeated group; an empty row is ignored."""

    key_fields = ()

    def is_blank(self):
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(data.get(name) for name in self.key_fields)


class OrganisationRowForm(RowForm):
    key_fields = ("name",)

    name = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={"list": "organisation-names", "autocomplete": "off"}
        ),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=PracticeOrganisation.Role.choices,
        initial=PracticeOrganisation.Role.INITIATOR,
        required=False,
    )
    organisation_type = forms.ChoiceField(
        label=_("Type (only for a new organisation)"),
        choices=[("", _("— choose —")), *Organisation.Type.choices],
        required=False,
    )

    def clean(self):
        data = super().clean()
        name = " ".join((data.get("name") or "").split())
        data["name"] = name
        if not name:
            return data
        if not data.get("role"):
            data["role"] = PracticeOrganisation.Role.INITIATOR
        existing = find_organisation(name)
        data["organisation"] = existing
        if existing is None and not data.get("organisation_type"):
            self.add_error(
                "organisation_type",
                _(
                    "“%(name)s” is not in our list yet: choose what kind of "
                    "organisation it is, so the editors can add it."
                )
                % {"name": name},
            )
        return data


class ContactRowForm(RowForm):
    key_fields = ("name", "email", "role", "organisation")

    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    role = forms.CharField(label=_("Role"), max_length=120, required=False)
    organisation = forms.CharField(
        label=_("Organisation"), max_length=200, required=False
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        help_text=_("Never shown on the site."),
        error_messages={"invalid": _("Fill in a valid email address.")},
    )
    consent = forms.BooleanField(
        label=_(
            "This person agrees that visitors can send them a message through "
            "the contact form on Vindplaats."
        ),
        required=False,
    )
    # An address someone else (the editors) entered: the member does not see
    # it; this opaque reference keeps it when the row is sent in
    # (services.contact_keep_ref).
    keep = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, keep_refs=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The references this draft may keep (services.kept_addresses).
        self.keep_refs = keep_refs or {}

    def clean(self):
        data = super().clean()
        if self.is_blank():
            return data
        if not (data.get("name") or "").strip():
            self.add_error("name", _("Fill in the name of the contact person."))
        kept = data.get("keep") and not data.get("email")
        if kept and data["keep"] not in self.keep_refs:
            # A reference we did not give out for this practice, or whose
            # address is gone: refused, not silently dropped.
            self.add_error(
                "email",
                _(
                    "We no longer have an email address for this contact "
                    "person. Fill in the email address."
                ),
            )
        elif not kept and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Fill in the email address."))
        if not data.get("consent"):
            self.add_error(
                "consent",
                _("Ask the contact person for permission and tick this box."),
            )
        return data


class LinkRowForm(RowForm):
    key_fields = ("title", "url")

    title = forms.CharField(label=_("Link text"), max_length=200, required=False)
    url = forms.URLField(
        label=_("Web address"),
        max_length=PracticeLink._meta.get_field("url").max_length,
        required=False,
        assume_scheme="https",
        error_messages={
            "invalid": _("Fill in a complete web address, starting with https://.")
        },
    )
    is_evidence = forms.BooleanField(
        label=_("This is an evaluation or a measurement of the results"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if self.is_blank():
            return data
        if not data.get("title"):
            self.add_error("title", _("Fill in a text for the link."))
        if not data.get("url") and "url" not in self.errors:
            self.add_error("url", _("Fill in the web address."))
        return data


class BaseRowFormSet(forms.BaseFormSet):
    def filled_rows(self):
        return [form.cleaned_data for form in self.forms if not form.is_blank()]


class OrganisationFormSet(BaseRowFormSet):
    def clean(self):
        if any(self.errors):
            return
        rows = self.filled_rows()
        seen = set()
        for form in self.forms:
            if form.is_blank():
                continue
            key = slugify(form.cleaned_data["name"])
            if key in seen:
                form.add_error("name", _("This organisation is already in the list."))
            seen.add(key)
        if not any(row["role"] == PracticeOrganisation.Role.INITIATOR for row in rows):
            raise forms.ValidationError(
                _("Add at least one organisation that took the initiative."),
                code="no_initiator",
            )


class ContactFormSet(BaseRowFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not self.filled_rows():
            raise forms.ValidationError(
                _("Add at least one contact person."), code="no_contact"
            )


class LinkFormSet(BaseRowFormSet):
    pass


ROW_SETS = {
    # prefix: (form, formset class, maximum rows, fields)
    "org": (OrganisationRowForm, OrganisationFormSet, MAX_ORGANISATIONS),
    "contact": (ContactRowForm, ContactFormSet, MAX_CONTACTS),
    "link": (LinkRowForm, LinkFormSet, MAX_LINKS),
}
ROW_KEYS = {"org": "organisations", "contact": "contacts", "link": "links"}


def make_formset(prefix, data=None, initial=None, form_kwargs=None):
    form, base, maximum = ROW_SETS[prefix]
    initial = list(initial or [])[:maximum]
    extra = max(
        0, min(EXTRA_ROWS if initial else EXTRA_ROWS + 1, maximum - len(initial))
    )
    if prefix == "org" and not initial:
        extra = min(3, maximum)
    formset_class = forms.formset_factory(
        form,
        formset=base,
        extra=extra,
        max_num=maximum,
        absolute_max=maximum,
        validate_max=True,
    )
    return formset_class(
        data=data,
        initial=initial or None,
        prefix=prefix,
        form_kwargs={"use_required_attribute": False, **(form_kwargs or {})},
        error_messages={
            "too_many_forms": _("Please submit at most %(num)d rows."),
        },
    )


def make_forms(data=None, initial=None, keep_refs=None):
    """The practice form and the three row sets, bound to `data` or filled with
    `initial` (a stored draft, see raw_data). `keep_refs` are the contact
    references an update draft may send back (services.kept_addresses)."""
    initial = initial or {}
    practice = (
        PracticeForm(data)
        if data is not None
        else PracticeForm(initial=initial.get("fields") or None)
    )
    formsets = {
        prefix: make_formset(
            prefix,
            data=data,
            initial=None if data is not None else initial.get(key),
            form_kwargs={"keep_refs": keep_refs} if prefix == "contact" else None,
        )
        for prefix, key in ROW_KEYS.items()
    }
    return practice, formsets


MAX_RAW_VALUE = STORY_MAX_LENGTH * 2


def _value(querydict, name, multiple=False):
    if multiple:
        return [printable(v[:50]) for v in querydict.getlist(name)][:100]
    return printable(querydict.get(name, "")[:MAX_RAW_VALUE])


def raw_data(post):
    """What was typed, as JSON-safe data for a draft (nothing is validated).

    Values are kept as the strings the browser sent (choices as their ids),
    which is what the forms take back as initial values.
    """
    fields = {}
    for name, field in PracticeForm().fields.items():
        multiple = isinstance(
            field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)
        )
        if multiple:
            fields[name] = _value(post, name, multiple=True)
        elif name in post:
            fields[name] = _value(post, name)
    data = {"fields": fields}
    for prefix, (form_class, _base, maximum) in ROW_SETS.items():
        try:
            total = int(post.get(f"{prefix}-TOTAL_FORMS", 0))
        except ValueError:
            total = 0
        rows = []
        for index in range(min(max(total, 0), maximum)):
            row = {}
            for name, field in form_class.base_fields.items():
                key = f"{prefix}-{index}-{name}"
                if isinstance(field, forms.BooleanField):
                    row[name] = key in post and post.get(key) not in ("", "false", "0")
                else:
                    row[name] = _value(post, key).strip()
            if any(row.get(name) for name in form_class.key_fields):
                rows.append(row)
        data[ROW_KEYS[prefix]] = rows
    return data

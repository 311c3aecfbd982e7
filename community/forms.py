from django import forms
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from core.forms import ModelMultipleChoiceField
from core.honeypot import HoneypotMixin
from practices.models import Adoption, CareOfficeRegion, PracticePage, Theme

from .models import Answer, Question, Report

MARKDOWN_HELP = _(
    "You can use Markdown: **bold**, *italic*, [link text](https://…), a list "
    "with - at the start of each line, and an empty line between paragraphs. "
    "Images and HTML are shown as plain text."
)


# Each practice's contact persons get an email about the question: a cap
# keeps one question from mailing the whole catalogue.
MAX_PRACTICES_PER_QUESTION = 3


class PracticeChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class QuestionForm(forms.ModelForm):
    title = forms.CharField(
        label=_("Your question"),
        min_length=10,
        max_length=160,
        help_text=_("One sentence, ending with a question mark works best."),
    )
    body = forms.CharField(
        label=_("Explanation"),
        min_length=20,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=MARKDOWN_HELP,
    )
    themes = ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose one or more themes, so the right people find it."),
        error_messages={"required": _("Choose at least one theme.")},
    )
    practices = PracticeChoiceField(
        label=_("About these practice examples"),
        queryset=PracticePage.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd on a Mac) to choose more than one."),
    )

    class Meta:
        model = Question
        fields = ["title", "body", "themes", "practices"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practices"].queryset = (
            PracticePage.objects.reachable().only("pk", "title").order_by("title")
        )

    def clean_practices(self):
        practices = self.cleaned_data["practices"]
        if len(practices) > MAX_PRACTICES_PER_QUESTION:
            raise forms.ValidationError(
                _("Choose at most %(max)d practice examples.")
                % {"max": MAX_PRACTICES_PER_QUESTION}
            )
        return practices


class AnswerForm(forms.ModelForm):
    body = forms.CharField(
        label=_("Your answer"),
        min_length=5,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HELP,
    )

    class Meta:
        model = Answer
        fields = ["body"]


class ReportForm(forms.ModelForm):
    reason = forms.ChoiceField(
        label=_("What is wrong with it?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason.")},
    )
    explanation = forms.CharField(
        label=_("Explanation for the editors"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Report
        fields = ["reason", "explanation"]


class SuspendForm(forms.Form):
    days = forms.IntegerField(
        label=_("Number of days"), min_value=1, max_value=3650, initial=7
    )
    reason = forms.CharField(
        label=_("Reason (the member sees this)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# Messages to a practice's contact person (community.contact) ---------------

MESSAGE_MAX_LENGTH = 5000


class ContactForm(forms.Form):
    """A member's message: their name and address come from the account."""

    subject = forms.CharField(label=_("Subject"), max_length=150)
    message = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that Vindplaats sends my message, my name and my email "
            "address to this contact person and keeps a copy for the editors."
        ),
        error_messages={
            "required": _(
                "Tick this box to send the message: without it we cannot pass it on."
            )
        },
    )


class VisitorContactForm(HoneypotMixin, forms.Form):
    """A visitor's message, without an account: relayed once they confirm
    the address (community.relay). Bots meet the honeypot."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Fill in your name.")},
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Fill in your email address."),
            "invalid": _("Fill in an email address like name@example.org."),
        },
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("Write your message.")},
    )

    def __init__(self, *args, contact_name="", **kwargs):
        super().__init__(*args, **kwargs)
        # Help texts are shown as HTML (includes/form_field.html).
        self.fields["email"].help_text = _(
            "We send the confirmation here, and %(name)s replies to this address."
        ) % {"name": escape(contact_name)}
        self.fields["message"].help_text = _(
            "Say who you are and what you would like to know or share. At most "
            "%(count)d characters."
        ) % {"count": MESSAGE_MAX_LENGTH}


class ContactReportForm(forms.Form):
    """A contact person reports a message they got through the relay."""

    note = forms.CharField(
        label=_("What is wrong with this message?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("You may paste the message here, so the editors can read it."),
    )


class AdoptionForm(forms.ModelForm):
    """What a member says about their organisation taking up a practice."""

    organisation = forms.CharField(
        label=_("Your organisation"),
        max_length=200,
        error_messages={"required": _("Fill in the name of your organisation.")},
    )
    region = forms.ModelChoiceField(
        label=_("Care office region"),
        queryset=CareOfficeRegion.objects.only("pk", "name").order_by("name"),
        empty_label=_("Choose a region"),
        help_text=_("The zorgkantoorregio where your organisation does this."),
        error_messages={"required": _("Choose the region where you do this.")},
    )
    status = forms.ChoiceField(
        label=_("How far are you?"),
        choices=Adoption.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how far you are.")},
    )
    note = forms.CharField(
        label=_("Short note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What you took over or did differently, in a few sentences "
            "(at most 500 characters). Plain text."
        ),
    )
    own_practice = forms.ModelChoiceField(
        label=_("Your own practice example on Vindplaats"),
        queryset=PracticePage.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    url = forms.URLField(
        label=_("Link to your own initiative"),
        required=False,
        assume_scheme="https",
        help_text=_("A web page about how your organisation does this."),
        error_messages={
            "invalid": _("Fill in a complete web address, such as https://…")
        },
    )

    # The fields the member fills in (community.adoptions takes them as is).
    FIELDS = ["organisation", "region", "status", "note", "own_practice", "url"]

    class Meta:
        model = Adoption
        # "url" is declared above and not generated from the model (which
        # would build a second, discarded URL field with the old default
        # scheme); its stored value is filled in below.
        fields = ["organisation", "region", "status", "note", "own_practice"]

    def __init__(self, *args, practice=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "url" not in self.initial:
            self.initial["url"] = self.instance.url
        self.practice = practice
        choices = PracticePage.objects.reachable().only("pk", "title")
        if practice is not None:
            choices = choices.exclude(pk=practice.pk)
        self.fields["own_practice"].queryset = choices.order_by("title")
        self.fields["own_practice"].label_from_instance = lambda page: page.title

    def clean_organisation(self):
        return " ".join(self.cleaned_data["organisation"].split())

    def clean_note(self):
        return self.cleaned_data["note"].strip()

    def clean_url(self):
        url = self.cleaned_data["url"]
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(
                _("Fill in a complete web address, such as https://…")
            )
        return url

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ModelMultipleChoiceField
from practices.models import PracticePage, Theme

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
        label=_("About these practice examples (optional)"),
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
        label=_("Explanation for the editors (optional)"),
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

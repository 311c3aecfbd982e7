"""A honeypot for the forms anyone may post without an account.

Spam bots fill in every field they find; people do not see this one. It is
moved off screen by CSS (no inline style, which the Content-Security-Policy
would block), hidden from screen readers and skipped by the Tab key, and has
a name that bots like. Filled in, the form is refused with a message and
keeps what was typed, so a person whose browser autofilled it can go on.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

HONEYPOT_NAME = "website"


class HoneypotMixin:
    """Add to a form class before the form's own base class."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT_NAME] = forms.CharField(
            label=_("Leave this field empty"),
            required=False,
            widget=forms.TextInput(
                attrs={"autocomplete": "off", "tabindex": "-1", "data-honeypot": ""}
            ),
        )

    def clean(self):
        cleaned_data = super().clean()
        if self.cleaned_data.get(HONEYPOT_NAME):
            raise forms.ValidationError(
                _(
                    "This form looks filled in by a program. Leave the field "
                    "“Leave this field empty” empty and send it again."
                ),
                code="honeypot",
            )
        return cleaned_data

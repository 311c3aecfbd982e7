from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm

from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from core.honeypot import HoneypotMixin
from core.images import upload_allowed
from practices.models import Province

from .avatars import process_avatar
from .models import Profile

DISPLAY_NAME_HELP = _(
    "The name other members see next to your questions and answers. "
    "Your email address is never shown."
)


class SignupForm(HoneypotMixin, AllauthSignupForm):
    """allauth's sign-up form with the name members see (kept in the profile)."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=Profile._meta.get_field("display_name").max_length,
        help_text=DISPLAY_NAME_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["display_name", "email", "password1", "password2"]

    def clean_display_name(self):
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError(_("Fill in a display name."), code="required")
        return name

    def try_save(self, request):
        if self.account_already_exists:
            # allauth answers an address that already has an account as if
            # it were new (ACCOUNT_PREVENT_ENUMERATION) and mails its owner,
            # but skips hashing the password, by far the slowest step of a
            # new account: the answer came ten times faster. Hash it here too,
            # and throw the hash away.
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)

    def custom_signup(self, request, user):
        # Called by allauth before the verification email is written, so the
        # email greets the member by this name.
        user.profile.display_name = self.cleaned_data["display_name"]
        user.profile.save(update_fields=["display_name"])


class ResetPasswordForm(HoneypotMixin, AllauthResetPasswordForm):
    """allauth's password reset request, which anyone can send."""


class ProfileForm(forms.ModelForm):
    """What a member tells about themselves and who may see it.

    The photo is a plain file field rather than Django's ImageField so that
    the upload's size is checked before Pillow reads it (see avatars.py).
    """

    avatar = forms.FileField(
        label=_("Profile photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_avatar = forms.BooleanField(
        label=_("Remove my profile photo"), required=False
    )
    province = forms.ModelChoiceField(
        label=_("Province"),
        queryset=Province.objects.all(),
        required=False,
        empty_label=_("(not given)"),
    )

    class Meta:
        model = Profile
        fields = [
            "display_name",
            "organisation",
            "role",
            "province",
            "lived_experience",
            "bio",
            "show_organisation",
            "show_role",
            "show_province",
            "show_bio",
            "show_avatar",
            "show_lived_experience",
            "email_frequency",
        ]
        labels = {"display_name": _("Display name")}
        help_texts = {"display_name": DISPLAY_NAME_HELP}
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 5}),
            "email_frequency": forms.RadioSelect,
        }

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Decoding an image costs far more than its upload: each decoded
        # avatar counts against the member's image rate (core.images).
        self.request = request
        self.old_avatar_name = self.instance.avatar.name if self.instance.avatar else ""
        if self.instance.is_suspended:
            self.lock_public_profile()
        self.fields["bio"].help_text = _("At most 600 characters.")
        self.fields["avatar"].help_text = _(
            "A JPEG, PNG or WebP image of at most %(max)s. It is shrunk to at "
            "most %(size)s × %(size)s pixels; location and camera details are removed."
        ) % {
            "max": filesizeformat(settings.AVATAR_MAX_BYTES),
            "size": settings.AVATAR_SIZE,
        }
        self.order_fields(
            [
                "display_name",
                "organisation",
                "role",
                "province",
                "lived_experience",
                "bio",
                "avatar",
                "remove_avatar",
            ]
        )

    def clean_display_name(self):
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError(_("Fill in a display name."), code="required")
        return name

    def lock_public_profile(self):
        """A suspended member keeps reading and their email settings, but
        cannot change what others see: every field but the notification
        emails is shown disabled, and what is posted for it is ignored (the
        page says why, templates/accounts/edit.html)."""
        for name, field in self.fields.items():
            if name != "email_frequency":
                field.disabled = True

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        if not upload:
            return None
        if self.request is not None and not upload_allowed(self.request):
            raise forms.ValidationError(
                _(
                    "You have uploaded many images in a short time. Try again "
                    "in an hour, or save your other changes without a new photo."
                ),
                code="rate_limited",
            )
        return process_avatar(upload)

    def save(self, commit=True):
        profile = super().save(commit=False)
        new_avatar = self.cleaned_data.get("avatar")
        if new_avatar:
            profile.avatar.save(new_avatar.name, new_avatar, save=False)
        elif self.cleaned_data.get("remove_avatar"):
            profile.avatar = ""
        if commit:
            profile.save()
        return profile

    @property
    def replaced_avatar_name(self):
        """The stored file this save made obsolete, if any."""
        if self.old_avatar_name and self.instance.avatar.name != self.old_avatar_name:
            return self.old_avatar_name
        return ""


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _("That is not your password."), code="password_incorrect"
            )
        return password

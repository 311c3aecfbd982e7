"""A member's public profile next to Django's user.

The user row holds the login (email, password); the profile holds what the
member tells about themselves and which of it others may see. The email
address is never part of the profile and never shown.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications.models import EmailFrequency


def new_public_id():
    """The profile's address (/leden/<public_id>/): random, so the members
    cannot be walked by counting."""
    return secrets.token_hex(8)


def neutral_display_name():
    """The name of an account made without one (e.g. in the admin): never
    the login username."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Member %(code)s") % {"code": secrets.token_hex(2)}


def member_name(user):
    """What the site and both admins call a user (their __str__): the
    profile's display name, else the admin's first and last name, else a
    neutral word; never the login username.

    The display name and the user's name are kept the same (Profile.name_user
    and accounts.signals), so a listing without the profile loaded uses the
    name on the user row and needs no query per row.
    """
    if _profile_cached(user):
        profile = getattr(user, "profile", None)
        if profile is not None and profile.display_name:
            return profile.display_name
    name = " ".join(user.get_full_name().split())
    if name:
        return name
    if user.pk is not None:
        display_name = (
            Profile.objects.filter(user_id=user.pk)
            .values_list("display_name", flat=True)
            .first()
        )
        if display_name:
            return display_name
    return gettext("member")


def _profile_cached(user):
    try:
        return type(user).profile.is_cached(user)
    except AttributeError:
        return False


class Profile(models.Model):
    # The member's choice is kept here; the notifications app acts on it.
    EmailFrequency = EmailFrequency

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    public_id = models.CharField(
        max_length=16, unique=True, default=new_public_id, editable=False
    )
    display_name = models.CharField(_("display name"), max_length=80)
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    role = models.CharField(
        _("role"),
        max_length=120,
        blank=True,
        help_text=_("For example: district nurse, policy advisor, GP."),
    )
    province = models.ForeignKey(
        "practices.Province",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lived_experience = models.BooleanField(
        _("expert by experience"),
        default=False,
        help_text=_("You share experience as a patient, client or informal carer."),
    )
    bio = models.TextField(_("about me"), max_length=600, blank=True)
    avatar = models.ImageField(
        _("profile photo"), upload_to="avatars/", blank=True, max_length=200
    )

    # What others may see on the public profile page and next to posts:
    # nothing until the member ticks it.
    show_organisation = models.BooleanField(_("show my organisation"), default=False)
    show_role = models.BooleanField(_("show my role"), default=False)
    show_province = models.BooleanField(_("show my province"), default=False)
    show_bio = models.BooleanField(_("show what I wrote about myself"), default=False)
    show_avatar = models.BooleanField(_("show my profile photo"), default=False)
    show_lived_experience = models.BooleanField(
        _("show the expert by experience badge"), default=False
    )

    email_frequency = models.CharField(
        _("notification emails"),
        max_length=10,
        choices=EmailFrequency.choices,
        default=EmailFrequency.IMMEDIATE,
    )

    suspended_until = models.DateTimeField(
        _("suspended until"),
        null=True,
        blank=True,
        help_text=_(
            "A suspended member can read but not post, report or send messages."
        ),
    )
    suspension_reason = models.CharField(
        _("reason for suspension"), max_length=300, blank=True
    )
    created_at = models.DateTimeField(_("member since"), default=timezone.now)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "display_name" in update_fields:
            self.name_user()

    def get_absolute_url(self):
        return reverse("accounts:profile", args=[self.public_id])

    def name_user(self):
        """Give the user the display name as first and last name.

        Wagtail and Django's admin call a user by get_full_name() and fall
        back to the username (workflow, page history, listings); members sign
        up with a display name only, so editors saw "lid-<hex>". The display
        name is the one name; the admin's name fields follow it.
        """
        first, _space, last = self.display_name.partition(" ")
        get_user_model().objects.filter(pk=self.user_id).exclude(
            first_name=first, last_name=last
        ).update(first_name=first, last_name=last)
        # The user object the caller holds, too, so a later save keeps it.
        if Profile.user.is_cached(self):
            self.user.first_name, self.user.last_name = first, last

    def has_public_details(self):
        """Whether the member chose to show anything besides their name."""
        return any(
            [
                self.show_organisation and self.organisation,
                self.show_role and self.role,
                self.show_province and self.province_id,
                self.show_bio and self.bio,
                self.show_avatar and self.avatar,
                self.shows_lived_experience,
            ]
        )

    @property
    def shows_lived_experience(self):
        """The badge next to the name and posts: only when the member has
        the experience and chose to show it."""
        return self.lived_experience and self.show_lived_experience

    @property
    def is_suspended(self):
        return bool(self.suspended_until and self.suspended_until > timezone.now())

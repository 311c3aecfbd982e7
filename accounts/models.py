"""A member's public profile next to Django's user.

The user row holds the login (email, password); the profile holds what the
member tells about themselves and which of it others may see. The email
address is never part of the profile and never shown.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    class EmailFrequency(models.TextChoices):
        IMMEDIATE = "immediate", _("An email for every notification")
        DAILY = "daily", _("One daily digest")
        NEVER = "never", _("No email, only on the site")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
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

    # What others may see on the public profile page and next to posts.
    show_organisation = models.BooleanField(_("show my organisation"), default=True)
    show_role = models.BooleanField(_("show my role"), default=True)
    show_province = models.BooleanField(_("show my province"), default=True)
    show_bio = models.BooleanField(_("show what I wrote about myself"), default=True)
    show_avatar = models.BooleanField(_("show my profile photo"), default=True)

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

    def get_absolute_url(self):
        return reverse("accounts:profile", args=[self.user_id])

    @property
    def is_suspended(self):
        return bool(self.suspended_until and self.suspended_until > timezone.now())

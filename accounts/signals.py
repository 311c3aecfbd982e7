"""Every user has a profile from the moment the account exists, and its
display name as their name (Profile.name_user); a profile's photo file goes
when the profile does."""

from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from community.caching import bump_member_on_commit
from core.files import delete_file_on_commit

from .models import Profile, neutral_display_name


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="create-profile")
def create_profile(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if created:
        # An account made in the admin has a name, or gets a neutral one:
        # the login username is never shown.
        name = " ".join(instance.get_full_name().split())[:80]
        Profile.objects.get_or_create(
            user=instance,
            defaults={"display_name": name or neutral_display_name()},
        )
    elif update_fields is None or {"first_name", "last_name"} & set(update_fields):
        profile = Profile.objects.filter(user=instance).first()
        if profile is None:
            return
        profile.user = instance
        name = " ".join(instance.get_full_name().split())[:80]
        if not name:
            # The name was emptied (Django's admin allows that): the display
            # name again, or the admin would show the username.
            profile.name_user()
        elif name != profile.display_name:
            # A name changed in either admin (or Wagtail's account page) is
            # the display name too: one name, both ways. Profile.save gives
            # the user that name only if it differs, with an update that
            # sends no signal: no loop.
            profile.display_name = name
            profile.save(update_fields=["display_name"])
            # The name shows next to their posts: those pages are rebuilt.
            bump_member_on_commit(instance)


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="lower-email")
def lower_email(sender, instance, raw=False, **kwargs):
    """An address typed in either admin is stored as allauth stores it:
    stripped and in lower case, so a login in any case finds one account."""
    if not raw and instance.email:
        instance.email = instance.email.strip().lower()


@receiver(post_delete, sender=Profile, dispatch_uid="delete-profile-avatar")
def delete_avatar_file(sender, instance, **kwargs):
    if instance.avatar:
        delete_file_on_commit(instance.avatar.storage, instance.avatar.name)

"""Every user has a profile from the moment the account exists, and its
display name as their name (Profile.name_user); a profile's photo file goes
when the profile does."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

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
    elif (
        update_fields is None or {"first_name", "last_name"} & set(update_fields)
    ) and not instance.get_full_name().strip():
        # The name was emptied (Django's admin allows that): the display
        # name again, or the admin would show the username.
        profile = Profile.objects.filter(user=instance).first()
        if profile is not None:
            profile.user = instance
            profile.name_user()


@receiver(post_delete, sender=Profile, dispatch_uid="delete-profile-avatar")
def delete_avatar_file(sender, instance, **kwargs):
    if instance.avatar:
        delete_file_on_commit(instance.avatar.storage, instance.avatar.name)


def delete_file_on_commit(storage, name):
    """Remove a stored file once the transaction that dropped it commits."""
    transaction.on_commit(lambda: storage.delete(name))

"""Every user has a profile from the moment the account exists; a profile's
photo file goes when the profile does."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Profile


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="create-profile")
def create_profile(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        Profile.objects.get_or_create(
            user=instance,
            defaults={
                "display_name": instance.get_full_name() or instance.get_username()
            },
        )


@receiver(post_delete, sender=Profile, dispatch_uid="delete-profile-avatar")
def delete_avatar_file(sender, instance, **kwargs):
    if instance.avatar:
        delete_file_on_commit(instance.avatar.storage, instance.avatar.name)


def delete_file_on_commit(storage, name):
    """Remove a stored file once the transaction that dropped it commits."""
    transaction.on_commit(lambda: storage.delete(name))

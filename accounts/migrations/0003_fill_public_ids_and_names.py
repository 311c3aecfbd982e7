import secrets

from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext

BATCH = 1000


def fill(apps, schema_editor):
    """For every existing profile: a random public address; every detail
    private again (members chose under defaults that showed everything); a
    display name instead of a login username (accounts made in the admin: the
    name entered there, else a neutral one); and the display name as the
    user's first and last name, which Wagtail's admin shows instead of the
    username. A staff account's name entered in the admin is kept as it is;
    from now on a name changed there becomes the display name
    (accounts.signals)."""
    Profile = apps.get_model("accounts", "Profile")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    used = set()
    profiles = []
    users = []
    with translation.override(settings.LANGUAGE_CODE):
        member = gettext("Member %(code)s")
    for profile in Profile.objects.select_related("user").iterator(chunk_size=BATCH):
        public_id = secrets.token_hex(8)
        while public_id in used:
            public_id = secrets.token_hex(8)
        used.add(public_id)
        profile.public_id = public_id
        profile.show_organisation = profile.show_role = profile.show_province = False
        profile.show_bio = profile.show_avatar = False
        user = profile.user
        name = profile.display_name.strip()
        full_name = " ".join(f"{user.first_name} {user.last_name}".split())
        if not name or name.lower() == user.username.lower():
            profile.display_name = full_name[:80] or member % {
                "code": secrets.token_hex(2)
            }
        first, _space, last = profile.display_name.partition(" ")
        # An editor's name as entered in the admin stays.
        keep = (user.is_staff or user.is_superuser) and full_name
        if not keep and (user.first_name, user.last_name) != (first, last):
            user.first_name, user.last_name = first, last
            users.append(user)
        profiles.append(profile)
        if len(profiles) >= BATCH:
            save(Profile, User, profiles, users)
    save(Profile, User, profiles, users)


def save(Profile, User, profiles, users):
    Profile.objects.bulk_update(
        profiles,
        [
            "public_id",
            "display_name",
            "show_organisation",
            "show_role",
            "show_province",
            "show_bio",
            "show_avatar",
        ],
    )
    User.objects.bulk_update(users, ["first_name", "last_name"])
    profiles.clear()
    users.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_profile_public_id_and_private_fields"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

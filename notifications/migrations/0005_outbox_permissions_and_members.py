"""The redactie may open the outbox, and every old row knows its member.

- Wagtail's Editors and Moderators groups get `view_outgoingemail` (the
  outbox listing and each email's details; account emails' text is never
  shown) and `change_outgoingemail` ("Send again" on a failed email).
- Rows queued before OutgoingEmail.user existed are linked to the member
  with that address, so they go when the account does.
- allauth's emails queued before are marked as account emails (their text
  is no longer shown), and the ones already sent or given up on lose their
  text: it held password reset and confirmation links in clear.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import Q


def grant(apps, schema_editor):
    app_config = apps.get_app_config("notifications")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="notifications",
        codename__in=["view_outgoingemail", "change_outgoingemail"],
    )
    for group in Group.objects.filter(name__in=["Editors", "Moderators"]):
        group.permissions.add(*permissions)


def link_members(apps, schema_editor):
    OutgoingEmail = apps.get_model("notifications", "OutgoingEmail")
    User = apps.get_model("auth", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    owners = {
        email.lower(): user_id
        for email, user_id in User.objects.exclude(email="").values_list(
            "email", "pk"
        )
    }
    owners.update(
        (email.lower(), user_id)
        for email, user_id in EmailAddress.objects.values_list("email", "user_id")
    )
    for row in OutgoingEmail.objects.filter(user__isnull=True).only("pk", "to"):
        user_id = owners.get(row.to.lower())
        if user_id is not None:
            OutgoingEmail.objects.filter(pk=row.pk).update(user_id=user_id)


# The paths of allauth's one-time links (accounts/urls.py includes allauth
# under /account/).
ACCOUNT_LINKS = ("/account/password/reset/key/", "/account/confirm-email/")


def wipe_account_links(apps, schema_editor):
    OutgoingEmail = apps.get_model("notifications", "OutgoingEmail")
    holds_link = Q()
    for link in ACCOUNT_LINKS:
        holds_link |= Q(body__contains=link) | Q(html_body__contains=link)
    rows = OutgoingEmail.objects.filter(holds_link)
    rows.update(is_account_email=True)
    rows.exclude(status="pending").update(body="", html_body="")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_outbox_hardening"),
        ("account", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(link_members, migrations.RunPython.noop),
        migrations.RunPython(wipe_account_links, migrations.RunPython.noop),
    ]

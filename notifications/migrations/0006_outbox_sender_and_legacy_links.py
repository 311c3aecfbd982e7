"""The member an email is sent on behalf of, and no working link left in
old rows.

- OutgoingEmail.sender: the member a relayed contact message is from; the
  row goes with their account.
- Rows queued before links were made when sent (notifications.mail
  .secret_link) still hold working tokens: unsubscribe, contact opt-out,
  "still current?" and allauth's links. Their tokens are cut out of every
  row's text, headers and error, whatever its status (sent rows are in
  backups too). Account emails still waiting or failed with such a link in
  their text are marked failed and their text wiped: the member asks for a
  new link.
"""

import re

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

# The paths as they were when this migration was written (kb/urls.py).
TOKEN_PATHS = (
    "/meldingen/afmelden/",
    "/meldingen/afmelden-contactpersoon/",
    "/initiatief-actueel/",
    "/account/confirm-email/",
    "/account/password/reset/key/",
)
ACCOUNT_PATHS = ("/account/confirm-email/", "/account/password/reset/key/")
LINK = re.compile(
    "(" + "|".join(re.escape(path) for path in TOKEN_PATHS) + r")[^/\s\"'<>]+"
)
SIGNED_VALUE = re.compile(r"\.?[A-Za-z0-9_-]{2,}:[0-9A-Za-z]{5,8}:[A-Za-z0-9_-]{20,}")
REDACTED = "…"


def redact(text):
    if not text:
        return text
    text = LINK.sub(lambda match: match.group(1) + REDACTED, text)
    return SIGNED_VALUE.sub(REDACTED, text)


def wipe_legacy_links(apps, schema_editor):
    OutgoingEmail = apps.get_model("notifications", "OutgoingEmail")
    holds_account_link = Q()
    for path in ACCOUNT_PATHS:
        holds_account_link |= Q(body__contains=path) | Q(html_body__contains=path)
    OutgoingEmail.objects.filter(holds_account_link).exclude(status="sent").update(
        status="failed",
        body="",
        html_body="",
        last_error="Link removed from the outbox: the member requests a new one.",
    )
    for row in OutgoingEmail.objects.only(
        "pk", "body", "html_body", "headers", "last_error"
    ).iterator(chunk_size=500):
        headers = {
            name: redact(str(value)) for name, value in (row.headers or {}).items()
        }
        changed = {
            "body": redact(row.body),
            "html_body": redact(row.html_body),
            "last_error": redact(row.last_error),
            "headers": headers,
        }
        if any(getattr(row, name) != value for name, value in changed.items()):
            OutgoingEmail.objects.filter(pk=row.pk).update(**changed)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0005_outbox_permissions_and_members"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingemail",
            name="sender",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="sent on behalf of",
            ),
        ),
        migrations.RunPython(wipe_legacy_links, migrations.RunPython.noop),
    ]

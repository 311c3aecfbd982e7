"""Create actions that happen once, however often the form is sent.

Every form that creates something (a question, an answer, a message to a
contact person) carries a one-time token ({% form_token %}). `once()` runs
the save in a transaction that first records the token in UsedFormToken,
whose unique index makes a second request with the same token wait for the
first one's commit (PostgreSQL) or its write lock (SQLite) and then fail to
insert: it is answered with the first request's result instead of creating
again. A double click, a resent form after a slow answer and three parallel
requests all create exactly one. When the save is refused (a rule, invalid
data) its transaction rolls back and the token can be used again.

What is claimed is not the token alone but a digest of the member, the
form's address, the token and what the form says (whitespace collapsed):
the same form sent twice is done once, while the same token with other text
(the Back button, then a new question typed into the old page) or on
another form is a new submission, created and not silently dropped.

A form sent without a token (an old page) is still protected by each
action's own duplicate check under a lock (community.flood,
community.contact), which refuses rather than repeats.
"""

import datetime
import hashlib
import json
import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import UsedFormToken

FIELD = "form_token"
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
KEEP = datetime.timedelta(days=2)
NOT_FORM_DATA = {"csrfmiddlewaretoken", FIELD}


def new_token():
    return secrets.token_urlsafe(24)


def token_from(request):
    token = request.POST.get(FIELD, "")
    return token if TOKEN_PATTERN.match(token) else ""


def claim_key(request, token):
    """What a sent form is known by: its sender, address, token and data."""
    data = sorted(
        (name, [" ".join(value.split()) for value in request.POST.getlist(name)])
        for name in request.POST
        if name not in NOT_FORM_DATA
    )
    files = sorted(
        (name, [upload.name for upload in request.FILES.getlist(name)])
        for name in request.FILES
    )
    material = json.dumps(
        [request.user.pk, request.path, token, data, files], ensure_ascii=False
    )
    return hashlib.sha256(material.encode()).hexdigest()


class Repeated(Exception):
    """This form was sent before; `url` is where its result is."""

    def __init__(self, url):
        super().__init__(url)
        self.url = url


def once(request, save):
    """`save()` returns the URL of what it made; run it at most once for the
    request's form token and data. Raises Repeated with the first result's
    URL when this very form was sent already."""
    token = token_from(request)
    if not token:
        return save()
    key = claim_key(request, token)
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = UsedFormToken.objects.create(token=key, user=request.user)
        except IntegrityError:
            used = UsedFormToken.objects.filter(token=key, user=request.user).first()
            raise Repeated(used.result_url if used else "") from None
        url = save()
        claim.result_url = str(url)[:500]
        claim.save(update_fields=["result_url"])
        # Tokens are only needed while a form may be sent again.
        UsedFormToken.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return url

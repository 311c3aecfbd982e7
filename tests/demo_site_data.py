"""Members and posts in the browser tests' demo site (a separate process).

The demo site of `tests.browser` serves its own copy of the test database;
these helpers run `manage.py shell` against it, exactly like the site runs.
"""

import json
import subprocess
import sys

import pytest

from .browser import ROOT, site_env

PASSWORD = "Vindplaats-test-2026!"

CREATE_MEMBER = """
import datetime, json
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
User = get_user_model()
data = json.loads({data!r})
user, created = User.objects.get_or_create(
    username=data["username"],
    defaults={{"email": data["email"]}},
)
user.set_password(data["password"])
# Older than the community's new-account limits.
user.date_joined = timezone.now() - datetime.timedelta(days=30)
user.save()
EmailAddress.objects.get_or_create(
    user=user, email=user.email, defaults={{"verified": True, "primary": True}}
)
user.profile.display_name = data["display_name"]
user.profile.save()
print(json.dumps({{"id": user.pk, "profile_url": user.profile.get_absolute_url()}}))
"""


def demo_var_dir(tmp_path_factory):
    """The var dir `tests.browser.demo_site` made for its database and mail."""
    dirs = sorted(tmp_path_factory.getbasetemp().glob("demo-site[0-9]*"))
    assert len(dirs) == 1, f"expected one demo site var dir, found {dirs}"
    return dirs[0]


def manage_shell(var_dir, code):
    """Run `code` in `manage.py shell` on the demo site's database; its last
    line of output is JSON. A failure says why (its error output), as a
    CalledProcessError."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        env=site_env(var_dir),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        error = subprocess.CalledProcessError(
            result.returncode, "manage.py shell", result.stdout, result.stderr
        )
        error.add_note(f"manage.py shell said:\n{result.stderr[-3000:]}")
        raise error
    return json.loads(result.stdout.strip().splitlines()[-1])


def create_member(var_dir, username, display_name):
    data = {
        "username": username,
        "email": f"{username}@example.org",
        "password": PASSWORD,
        "display_name": display_name,
    }
    result = manage_shell(var_dir, CREATE_MEMBER.format(data=json.dumps(data)))
    return {**data, "id": result["id"], "profile_url": result["profile_url"]}


def log_in(page, base_url, member):
    page.goto(base_url + "/account/login/")
    page.locator("#id_login").fill(member["email"])
    page.locator("#id_password").fill(member["password"])
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/account/login/" not in page.url, "logging in failed"


@pytest.fixture(scope="session")
def demo_var(demo_site, tmp_path_factory):
    return demo_var_dir(tmp_path_factory)


CREATE_QUESTION = """
import json
from django.contrib.auth import get_user_model
from community.models import Answer, Question
from notifications.models import Notification
from practices.models import Theme
data = json.loads({data!r})
author = get_user_model().objects.get(username=data["author"])
question = Question.objects.create(
    author=author, title=data["title"], body=data["body"]
)
question.themes.set([Theme.objects.order_by("pk").first()])
if data.get("answer_by"):
    Answer.objects.create(
        question=question,
        author=get_user_model().objects.get(username=data["answer_by"]),
        body="Bij ons werkt een *vast team* per wijk.",
    )
    Notification.objects.create(
        user=author,
        event=Notification.Event.NEW_ANSWER,
        message="Nieuw antwoord op: " + question.title,
        url=question.get_absolute_url(),
    )
print(json.dumps({{"url": question.get_absolute_url()}}))
"""


def create_question(var_dir, author, title, answer_by=None):
    data = {
        "author": author["username"],
        "title": title,
        "body": "Wij zoeken **ervaringen** met zorg in de wijk.",
        "answer_by": answer_by and answer_by["username"],
    }
    return manage_shell(var_dir, CREATE_QUESTION.format(data=json.dumps(data)))["url"]


GIVE_PRACTICE = """
import json
from django.contrib.auth import get_user_model
from wagtail.models import Page
from practices.models import PracticePage
data = json.loads({data!r})
page = PracticePage.objects.get(slug=data["slug"])
# Page.owner without a new revision: as if the member had sent it in.
Page.objects.filter(pk=page.pk).update(
    owner=get_user_model().objects.get(username=data["owner"])
)
print(json.dumps({{"id": page.pk, "url": page.url}}))
"""


def give_practice(var_dir, owner, slug):
    """Make a member the owner of a practice, as if they had sent it in; the
    practice then shows under "My initiatives" with "Propose changes"."""
    data = {"owner": owner["username"], "slug": slug}
    return manage_shell(var_dir, GIVE_PRACTICE.format(data=json.dumps(data)))


UNSUBSCRIBE_PATH = """
import json
from django.urls import reverse
from notifications.mail import unsubscribe_token
token = unsubscribe_token({user_id!r})
print(json.dumps({{"path": reverse("notifications:unsubscribe", args=[token])}}))
"""


def unsubscribe_path(var_dir, member):
    """The path of the one-click unsubscribe link in a member's emails."""
    code = UNSUBSCRIBE_PATH.format(user_id=member["id"])
    return manage_shell(var_dir, code)["path"]

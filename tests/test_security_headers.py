"""Security headers on every page, and the admin logins rate limited."""

import pytest

from django.test import override_settings

from practices.models import PracticePage
from tests.factories import EditorFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "een-veilig-testwachtwoord"


def directives(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    policy = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


def assert_strict_public_policy(response):
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


def practice_url():
    return PracticePage.objects.live().get(slug="havenue-rotterdam").url


@pytest.mark.parametrize(
    "path", ["/", "/zoeken/", "/zoeken/?q=zorg", "practice", "/account/login/"]
)
def test_public_pages_have_a_policy_without_inline_scripts(client, path):
    response = client.get(practice_url() if path == "practice" else path)
    assert response.status_code == 200
    assert_strict_public_policy(response)
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'"):
        assert unsafe not in response["Content-Security-Policy"]


def test_public_pages_have_no_inline_scripts_or_styles(client):
    """What the policy forbids is not in the pages, so it breaks nothing."""
    for path in ("/", "/zoeken/?q=zorg", practice_url()):
        html = client.get(path).content.decode()
        assert "<style" not in html and " style=" not in html, path
        for script in html.split("<script")[1:]:
            assert script.lstrip().startswith("src="), path


def test_htmx_is_configured_without_eval_or_inline_styles(client):
    html = client.get("/zoeken/").content.decode()
    if "htmx.min.js" in html:
        assert '"includeIndicatorStyles": false' in html
        assert '"allowEval": false' in html


def test_errors_carry_the_policy_too(client):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert_strict_public_policy(response)


@override_settings(PAGE_CACHE_SECONDS=60)
def test_a_page_from_the_cache_carries_the_current_policy(client):
    first = client.get("/")
    second = client.get("/")
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert_strict_public_policy(second)
    assert "Permissions-Policy" in second
    policy = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'none'"]}}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        third = client.get("/")
    # The policy is not stored with the page: a cached page gets today's.
    assert third["X-Page-Cache"] == "hit"
    assert directives(third)["img-src"] == ["'none'"]


def test_admin_gets_its_own_policy(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    policy = directives(response)
    assert "'unsafe-inline'" in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    # Wagtail's editor shows its preview in a frame of the admin.
    assert policy["frame-ancestors"] == ["'self'"]


def test_wagtail_editor_works_under_the_admin_policy(client):
    client.force_login(EditorFactory())
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "'unsafe-inline'" in directives(response)["script-src"]


def test_a_page_previewed_in_the_admin_gets_the_admin_policy(client):
    """Wagtail renders a preview through the middleware with a dummy request
    for the page's public URL; the preview frame must not get the public
    policy's frame-ancestors 'none' (it would stay blank)."""
    client.force_login(EditorFactory())
    page = PracticePage.objects.live().get(slug="havenue-rotterdam")
    response = client.get(f"/admin/pages/{page.pk}/view_draft/")
    assert response.status_code == 200
    assert directives(response)["frame-ancestors"] == ["'self'"]
    assert response["Content-Security-Policy"].count("frame-ancestors") == 1


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/account/login/"])
def test_permissions_policy_and_other_headers(client, path):
    response = client.get(path)
    features = dict(
        part.strip().split("=", 1) for part in response["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert features[feature] == "()"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


# --- The admin logins are rate limited ---------------------------------


def post_admin_login(client, username, password, path="/admin/login/", **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


def test_admin_login_still_works(client):
    editor = EditorFactory()
    response = post_admin_login(client, editor.username, PASSWORD)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_admin_login_locks_out_a_username_after_five_failures(client):
    editor = EditorFactory()
    for _attempt in range(5):
        response = post_admin_login(client, editor.username, "fout")
        assert response.status_code == 200  # the form again, with its error
    # Another address guesses the same username: the username is locked.
    response = post_admin_login(
        client, editor.username, PASSWORD, REMOTE_ADDR="192.0.2.7"
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert "Te veel pogingen" in html
    assert "Wacht een paar minuten" in html
    assert '<html lang="nl"' in html
    # The right password does not get through while locked out.
    assert "_auth_user_id" not in client.session


def test_admin_login_locks_out_an_address_guessing_many_usernames(client):
    for number in range(10):
        response = post_admin_login(client, f"bestaat-niet-{number}", "fout")
        assert response.status_code == 200
    response = post_admin_login(client, "nog-een", "fout")
    assert response.status_code == 429
    assert "Te veel pogingen" in response.content.decode()
    # Another address may still try.
    other = post_admin_login(client, "nog-een", "fout", REMOTE_ADDR="192.0.2.8")
    assert other.status_code == 200


def test_a_successful_login_does_not_count_as_a_failure(client):
    editor = EditorFactory()
    for _attempt in range(4):
        post_admin_login(client, editor.username, "fout")
    assert post_admin_login(client, editor.username, PASSWORD).status_code == 302
    client.logout()
    # The success was taken back: one more failure is still allowed.
    assert post_admin_login(client, editor.username, "fout").status_code == 200


def test_admin_and_members_login_share_the_limit_per_address(client):
    for number in range(10):
        client.post(
            "/account/login/",
            {"login": f"lid{number}@example.org", "password": "fout"},
        )
    response = post_admin_login(client, "redacteur", "fout")
    assert response.status_code == 429


def test_django_admin_login_is_rate_limited_too(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    for _attempt in range(5):
        response = post_admin_login(
            client, staff.username, "fout", path="/django-admin/login/"
        )
        assert response.status_code == 200
    response = post_admin_login(
        client, staff.username, PASSWORD, path="/django-admin/login/"
    )
    assert response.status_code == 429
    assert "Te veel pogingen" in response.content.decode()


def test_django_admin_login_still_works(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    response = post_admin_login(
        client, staff.username, PASSWORD, path="/django-admin/login/"
    )
    assert response.status_code == 302
    assert client.get("/django-admin/").status_code == 200


def test_members_login_answers_with_the_dutch_429_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
    client.post("/account/login/", {"login": "a@example.org", "password": "fout"})
    response = client.post(
        "/account/login/", {"login": "a@example.org", "password": "fout"}
    )
    assert response.status_code == 429
    assert "Te veel pogingen" in response.content.decode()


def test_a_request_larger_than_any_form_needs_is_refused_before_it_is_read(
    client, settings
):
    from submissions.models import Submission
    from tests.factories_community import MemberFactory

    member = MemberFactory()
    client.force_login(member)
    response = client.post(
        "/deel-jouw-initiatief/",
        {"title": "Te groot", "save": "1"},
        CONTENT_LENGTH=str(settings.MAX_REQUEST_BYTES + 1),
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "Te groot om te versturen" in html
    assert f"{settings.MAX_REQUEST_BYTES // 2**20} MB" in html
    assert not Submission.objects.filter(owner=member).exists()

    response = client.post("/deel-jouw-initiatief/", {"title": "Past", "save": "1"})
    assert response.status_code == 302

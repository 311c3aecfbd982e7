"""Wagtail's user management (Instellingen > Gebruikers) without the login
username: members sign up with a random handle ("lid-<hex>") that means
nothing to editors and is not to be shown. The listing names them and gives
their email address; the username stays searchable and on the edit form.
Registered through accounts.apps.UsersAppConfig (INSTALLED_APPS)."""

from wagtail.admin.ui.tables import Column
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views import users

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy

# A member's name is their display name, often one word ("Jantje"): Wagtail
# asks for a last name, which would make an editor invent one (and it would
# become the member's public name, accounts.signals) to save anything.
OPTIONAL_LAST_NAME = forms.CharField(required=False, label=gettext_lazy("Last Name"))


class MemberEditForm(UserEditForm):
    last_name = OPTIONAL_LAST_NAME


class MemberCreationForm(UserCreationForm):
    last_name = OPTIONAL_LAST_NAME


class IndexView(users.IndexView):
    @cached_property
    def columns(self):
        columns = [
            column
            for column in super().columns
            if column.name != self.model.USERNAME_FIELD
        ]
        email = Column(
            "email",
            label=gettext_lazy("Email address"),
            sort_key="email",
            classname="email",
            width="25%",
        )
        # After the name.
        columns.insert(2, email)
        return columns


class UserViewSet(users.UserViewSet):
    index_view_class = IndexView
    ordering = "name"

    def get_form_class(self, for_update=False):
        return MemberEditForm if for_update else MemberCreationForm

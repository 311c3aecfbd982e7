"""Wagtail's user management (Instellingen > Gebruikers) without the login
username: members sign up with a random handle ("lid-<hex>") that means
nothing to editors and is not to be shown. The listing names them and gives
their email address; the username stays searchable and on the edit form.
Registered through accounts.apps.UsersAppConfig (INSTALLED_APPS)."""

from wagtail.admin.ui.tables import Column
from wagtail.users.views import users

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy


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

"""Form fields the apps share."""

from django import forms

# What a database integer column holds at most (SQLite's and PostgreSQL's bigint).
BIGINT = 2**63


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, refusing ids no integer column can hold.

    Django drops out-of-range integers from exact lookups, but not from the
    `pk__in` lookup this field runs: on SQLite an id of 2**63 or more raises
    OverflowError (a server error) instead of "not one of the choices".
    """

    def _check_values(self, value):
        for pk in value if isinstance(value, (list, tuple)) else ():
            try:
                number = int(str(pk))
            except ValueError:
                continue  # Django refuses it as no valid id
            if not -BIGINT <= number < BIGINT:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)

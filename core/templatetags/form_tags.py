"""Form widgets with the NL Design System classes, for the site's one form
pattern (templates/includes/form_field.html).

`{{ field|nlds_widget }}` renders a field's widget the way `{{ field }}`
does (its attributes, required, aria-invalid, aria-describedby) with the
component class for its kind added to the widget's own classes;
`{% for choice in field|nlds_choices %}` gives the checkboxes or radio
buttons of a group with theirs. A widget without a component (a file input)
renders as it is.
"""

from django import template
from django.forms.boundfield import BoundWidget

register = template.Library()

TEXTBOX = "utrecht-textbox utrecht-textbox--html-input"
CHECKBOX = "utrecht-checkbox utrecht-checkbox--html-input utrecht-checkbox--custom"
RADIO = "utrecht-radio-button utrecht-radio-button--html-input"

# Django's widget_type (the widget class's name, lower case, without
# "widget" or "input") -> the component's classes.
WIDGET_CLASSES = {
    **dict.fromkeys(
        [
            "text",
            "email",
            "password",
            "url",
            "number",
            "search",
            "tel",
            "date",
            "datetime",
            "time",
        ],
        TEXTBOX,
    ),
    "textarea": "utrecht-textarea utrecht-textarea--html-textarea",
    "select": "utrecht-select utrecht-select--html-select",
    "nullbooleanselect": "utrecht-select utrecht-select--html-select",
    "selectmultiple": "utrecht-select utrecht-select--html-select",
    "checkbox": CHECKBOX,
}
CHOICE_CLASSES = {"checkboxselectmultiple": CHECKBOX, "radioselect": RADIO}


def _with_class(existing, extra):
    classes = (existing or "").split()
    return " ".join(classes + [name for name in extra.split() if name not in classes])


@register.filter
def nlds_widget(field):
    """The field's widget, with its component's classes."""
    extra = WIDGET_CLASSES.get(field.widget_type)
    if extra is None:
        return field.as_widget()
    own = field.field.widget.attrs.get("class")
    return field.as_widget(attrs={"class": _with_class(own, extra)})


@register.filter
def nlds_choices(field):
    """The options of a checkbox or radio group, each with its component's
    classes (render each with `{{ choice.tag }}`)."""
    extra = CHOICE_CLASSES.get(field.widget_type)
    if extra is None:
        return list(field)
    return [
        BoundWidget(
            choice.parent_widget,
            {
                **choice.data,
                "attrs": {
                    **choice.data["attrs"],
                    "class": _with_class(choice.data["attrs"].get("class"), extra),
                },
            },
            choice.renderer,
        )
        for choice in field
    ]

"""Forms as a browser sends them, for tests that post a form they fetched
(the Wagtail page editor's, with its inline panels and rich text)."""

from bs4 import BeautifulSoup


def form_data(html, selector):
    """What a browser would send for the form `selector` as it stands:
    every field's current value (checked boxes and radios, chosen options)."""
    form = BeautifulSoup(html, "html.parser").select_one(selector)
    data = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        name = field["name"]
        if field.name == "textarea":
            data.setdefault(name, []).append(field.get_text())
        elif field.name == "select":
            chosen = field.select("option[selected]")
            data.setdefault(name, []).extend(o.get("value", "") for o in chosen)
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data.setdefault(name, []).append(field.get("value", "on"))
        elif field.get("type") not in ("submit", "button", "file"):
            data.setdefault(name, []).append(field.get("value", ""))
    return data

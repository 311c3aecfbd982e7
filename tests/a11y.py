"""axe-core checks for the browser tests (WCAG 2.1 A and AA, zero violations)
and helpers for their keyboard-only journeys."""

import time

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Rules of those criteria that axe-core still calls experimental, and so
# leaves out of a run by tag: WCAG 2.5.3 (label in name), which the province
# map's tiles broke ("FR 0" named "Fryslân: ...", issue 17).
EXPERIMENTAL_RULES = ["label-content-name-mismatch"]

_axe = Axe()


def axe_violations(page, context=None):
    """The WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    options = {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "rules": {rule: {"enabled": True} for rule in EXPERIMENTAL_RULES},
        "resultTypes": ["violations"],
    }
    results = _axe.run(page, context=context, options=options)
    return results.response["violations"]


def format_violations(violations):
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
        )
        for node in violation["nodes"][:5]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node['failureSummary'].splitlines()[-1]}")
            lines.append(f"    {node['html'][:200]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def assert_no_axe_violations(page, context=None):
    """Fail with a readable list when axe-core finds WCAG 2.1 A/AA violations."""
    violations = axe_violations(page, context)
    assert not violations, (
        f"axe-core found {len(violations)} WCAG 2.1 A/AA violation(s) on "
        f"{page.url}:\n{format_violations(violations)}"
    )


# Keyboard and waiting helpers for the browser journeys. The site's CSP has
# no 'unsafe-eval', so Playwright's wait_for_function (which evals its
# predicate in the page) cannot run there: wait_until polls page.evaluate.


def wait_until(page, expression, timeout=10, message=None):
    """Poll a JavaScript expression until it is truthy."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(message or f"timed out waiting for {expression}")
        page.wait_for_timeout(50)


def is_focused(page, selector):
    return page.evaluate("s => document.activeElement.matches(s)", selector)


def describe_focus(page):
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const text = (el.textContent || "").trim().replace(/\\s+/g, " ");
            return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} `
                + `${JSON.stringify(text.slice(0, 40))}`;
        }"""
    )


def skip_to_content(page):
    """From the top of a freshly loaded page: the first Tab reaches the skip
    link, Enter on it moves focus to the main content."""
    page.keyboard.press("Tab")
    assert is_focused(page, "a.skip-link"), (
        f"the first Tab reached {describe_focus(page)}, not the skip link"
    )
    page.keyboard.press("Enter")
    assert is_focused(page, "main#main"), (
        f"the skip link moved focus to {describe_focus(page)}, not to main"
    )


def tab_to(page, selector, limit=80):
    """Press Tab until the element matching selector has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if is_focused(page, selector):
            return
    raise AssertionError(
        f"{limit} presses on Tab did not reach {selector} on {page.url}; "
        f"focus is on {describe_focus(page)}"
    )

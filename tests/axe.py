"""axe-core in the browser tests, with the page's Content-Security-Policy kept.

The script is the `axe.min.js` that the PyPI package `axe-playwright-python` ships (requirements-dev.txt;
upgrading that package upgrades axe-core, nothing is fetched at run time). It is not evaluated through the
DevTools protocol nor added inline (the CSP forbids inline scripts, and bypassing the CSP would hide what a
real visitor gets): the page loads it as a file from its own origin, a URL that Playwright answers from the
installed file, so `script-src 'self'` lets it in exactly as it lets the app's own scripts in.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from axe_playwright_python.base import AXE_FILE_PATH
from playwright.sync_api import Error as PlaywrightError

AXE_PATH = Path(AXE_FILE_PATH)
AXE_URL_PATH = "/__axe-core__/axe.min.js"  # served by the route below, never by the app


def serve_axe(context) -> None:
    """Answer the axe script's URL from the installed file, on every page of this browser context."""
    body = AXE_PATH.read_bytes()
    context.route(
        f"**{AXE_URL_PATH}",
        lambda route: route.fulfill(status=200, body=body, content_type="text/javascript; charset=utf-8"),
    )


def violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (all its default rules: WCAG 2.x A/AA and best practices).

    The context must have been through `serve_axe`. Before loading axe, the page is checked to have its CSP
    in force (an inline script does not run); `add_script_tag` raises if axe itself could not load."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        assert inline_scripts_blocked(page), f"{page.url}: the page's Content-Security-Policy lets inline scripts run"
        page.add_script_tag(url=AXE_URL_PATH)
    return page.evaluate("() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")


def inline_scripts_blocked(page) -> bool:
    """Whether the page's CSP is in force (an inline script does not run), as for a real visitor."""
    with contextlib.suppress(PlaywrightError):  # Playwright reports the CSP's refusal
        page.add_script_tag(content="window.__inlineScriptRan = true")
    return not page.evaluate("() => window.__inlineScriptRan === true")


def describe(found: list[dict]) -> str:
    """One line per violation and offending element, to read in a failing test's message."""
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """0 axe-core violations on the page, or a failure listing them with the page's address."""
    found = violations(page)
    assert not found, f"axe-core on {page.url}:\n{describe(found)}"

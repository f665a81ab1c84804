"""axe-core in the browser tests: what a screen reader, a keyboard or low vision would trip on.

axe-core (MPL-2.0) comes bundled in the axe-playwright-python package (requirements-dev.txt),
so nothing is fetched at run time. The site's Content-Security-Policy refuses injected
scripts: pages are checked in a context made by `axe_context` (bypass_csp=True), which a
test uses only for checking, never to prove the policy.
"""

from axe_playwright_python.base import AXE_SCRIPT

# Findings that fail a test; "moderate" and "minor" ones are reported by `findings` too.
FAILING = ("serious", "critical")
# WCAG 2.x A and AA, plus axe's best practices that concern names, landmarks and headings.
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_context(browser, viewport: dict, **kwargs):
    return browser.new_context(viewport=viewport, locale="en-US", bypass_csp=True, **kwargs)


def findings(page, *, impacts=FAILING) -> list[str]:
    """One line per element axe finds wrong at one of `impacts`: rule, impact, selector, why."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE_SCRIPT)
    results = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
                    .then(r => r.violations)""", RULE_TAGS)
    lines = []
    for rule in results:
        if rule["impact"] not in impacts:
            continue
        for node in rule["nodes"]:
            why = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"{rule['id']} ({rule['impact']}) {' '.join(map(str, node['target']))}: {why}"[:400])
    return lines

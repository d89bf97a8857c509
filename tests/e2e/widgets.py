"""Using Streamlit's widgets in the browser as a user does, for the browser tests."""

from __future__ import annotations

from playwright.sync_api import Locator, expect


def pick(scope: Locator, option_name: str, attempts: int = 3) -> None:
    """Choose a radio option by its accessible name inside ``scope``; the input itself
    is visually hidden, so click its visible label, as a user does.

    A click can be lost while the form is still moving (an expander that just opened
    animates its height; the press is cancelled when the label moves between pointer
    down and up), so a click that did not select the option is repeated, as a user
    would."""
    radio = scope.get_by_role("radio", name=option_name, exact=True)
    # ``has`` is matched inside each option, so it takes a locator not rooted in ``scope``.
    label = scope.get_by_test_id("stRadioOption").filter(
        has=scope.page.get_by_role("radio", name=option_name, exact=True))
    for attempt in range(1, attempts + 1):
        label.click()
        try:
            expect(radio).to_be_checked(timeout=3_000 if attempt < attempts else 10_000)
            return
        except AssertionError:
            if attempt == attempts:
                raise

"""The HTML pages, one blueprint per area; each view declares its guard."""

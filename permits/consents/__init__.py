"""Consent of the importing and transit countries: no load moves before each has consented."""

"""The only code that changes a permit's or a shipment's state, one module per noun.

Service functions are keyword-only, take the caller's `session` and the acting user (None for
the system), validate, change state with a conditional UPDATE, write the audit entry, flush and
never commit: the caller commits once.
"""

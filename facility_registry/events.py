"""Signals the registry sends inside the caller's transaction, for the layers above it.

The registry cannot import `permits` (it sits below it), yet a suspension must suspend
permits and every change must reach the audit chain in the same transaction. Handlers
receive the caller's `session` and write with it; they never commit.
"""
from blinker import Namespace

_signals = Namespace()

#: send(sender_name, session=, actor_id=, action=, entity=, entity_id=, before=, after=, reason=)
audited = _signals.signal("audited")
#: send(facility, session=, actor_id=, reason=)
facility_suspended = _signals.signal("facility-suspended")
#: send(facility, session=, actor_id=, reason=)
facility_reinstated = _signals.signal("facility-reinstated")
#: send(facility, session=, actor_id=)
evidence_verified = _signals.signal("evidence-verified")
#: send(sender_name, session=, facility_ids=, actor_id=, reason=) - any change of what counts as
#: a facility's evidence (recorded, verified, superseded, rejected, corrected, an inspection's
#: findings, an import): `permits` re-checks the permits naming those facilities.
evidence_changed = _signals.signal("evidence-changed")

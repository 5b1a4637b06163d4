"""Connects the registry's events to the permits layer (audit entries, permit cascades)."""
import permits.audit.chain  # noqa: F401 - audit entries for registry changes
import permits.registry.cascade  # noqa: F401,E402 - facility suspensions, reinstatements, evidence -> permits

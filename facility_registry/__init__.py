"""The registry of receiving facilities: their evidence, inspections and eligibility."""
import standards  # noqa: F401 - sets the shared table naming convention first

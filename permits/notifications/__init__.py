"""Notices: who is told what when a permit, consent, shipment or case changes (in-app and e-mail)."""

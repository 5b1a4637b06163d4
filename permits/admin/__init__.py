"""admin: users, organizations, account requests, the audit trail, job runs, verification."""

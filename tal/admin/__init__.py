"""Administration pages: the audit log, for admins. Hangs on accounts and audit."""

"""Database access: the engine singleton, typed models base, and tenant-scoped sessions."""

"""tenancy domain."""

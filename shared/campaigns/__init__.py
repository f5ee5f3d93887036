"""campaigns domain."""

"""The local default: embedded PostgreSQL and Redis, migrations, demo data."""

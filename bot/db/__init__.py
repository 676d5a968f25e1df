"""Database access: engines, migrations and the ORM models."""

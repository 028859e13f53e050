"""Storage: sqlmodel tables, engines, migrations."""

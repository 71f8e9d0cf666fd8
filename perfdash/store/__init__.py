"""The store: the DuckDB connection, named SQL under queries/, schema migrations and backups.

It imports nothing of perfdash above config and errors. Opening a `Database` only opens the
file; bringing it up to date (migrations, derived tables) is `perfdash.derive.open_current`.
"""

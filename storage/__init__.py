"""SQLite storage for veille: connection, schema migrations and queries."""

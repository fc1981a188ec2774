"""The service's own state (API keys, sessions and turns, feedback, audit) in SQL: SQLite in
the data directory by default, PostgreSQL for server deployments."""

"""SQLite storage: the connection (WAL, explicit write transactions), named migrations,
and every SQL statement veille runs, one module per table family: `articles`, `seen`
(the URL memory), `runs`, `health`, `outbox`, `validators`, `sources`, `queries`.

Imports only the ground (`veille.model`).
"""

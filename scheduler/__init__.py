"""Processing new items: dedup, tagging and storing (later: the daemon and alerts)."""

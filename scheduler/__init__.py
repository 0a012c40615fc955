"""What happens to new items, and when.

The owner's words: "a scheduler deduplicates new items, tags them by topic and
stores them in SQLite". `pipeline` decides about one downloaded article (language
gate, dedup, tags, store, alerts to queue) using the rooms beside it:
`dedup/` (URL keys, content hash), `tagging/` (rules, tagger, describe, retag),
`alerts/` (alert rules, messages, sender) and `schedule/` (one run, the daemon,
the per-source locks).

May import `veille.model` and the other ground modules, `storage/` and
`crawler/`; the crawler never imports this package: the scheduler passes in
what the crawl needs (the item handler, the URL key, the worker-side tagger)
when it builds the crawl.
"""

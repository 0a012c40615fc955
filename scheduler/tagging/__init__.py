"""Tagging by topic: the rules file (`rules`), the French-aware tagger with its evidence
(`tagger`), the rules and results as people read them (`describe`), and applying the
rules again to JSON lines or stored articles (`retag`).

To improve the Ukraine tagging, change `veille/data/topics.toml` first; the code
here only changes when the rules need a new kind of statement.
"""

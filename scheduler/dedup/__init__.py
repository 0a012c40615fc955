"""Deduplication: is this article one veille already has?

`urls` gives each article URL one key (tracking parameters, host case, ports and
trailing slashes do not count), `keys` lists the keys a downloaded page is known
under (its canonical link included), `content` hashes the normalised text so
that the same text under another URL is the same article. The memory of
decided URLs itself lives in `storage.seen`.
"""

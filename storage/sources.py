"""The sources table mirrors the sources file, so that queries can join on it."""

from __future__ import annotations

import json
from dataclasses import asdict

import sqlite_utils

from storage.db import transaction, utcnow
from veille.model import Source


def sync_sources(db: sqlite_utils.Database, sources: list[Source]) -> None:
    now = utcnow()
    with transaction(db):
        for source in sources:
            db.execute(
                """INSERT INTO sources (name, url, kind, enabled, allow_private, config,
                                        added_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(name) DO UPDATE SET url = excluded.url, kind = excluded.kind,
                     enabled = excluded.enabled, allow_private = excluded.allow_private,
                     config = excluded.config, updated_at = excluded.updated_at""",
                [source.name, source.url, source.kind, int(source.enabled),
                 int(source.allow_private), json.dumps(asdict(source), ensure_ascii=False),
                 now, now],
            )

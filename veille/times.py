"""Times as veille stores and compares them: ISO 8601 in UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def moment(value: str) -> datetime:
    """A stored or extracted time as an aware datetime; a date or a time without offset is
    read as UTC ("2026-11-26" is its midnight)."""
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def utc_iso(value: str) -> str:
    """The same time as an ISO 8601 string in UTC, second precision: strings that sort as
    the times do."""
    return moment(value).astimezone(UTC).replace(microsecond=0).isoformat()

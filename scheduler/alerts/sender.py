"""Delivering the outbox: Apprise sends, veille decides when to try again.

Apprise speaks to every chat service but only says whether a send worked. The
HTTP answer behind that (status, Retry-After, no answer at all) is read at the
requests layer during the send, so that a 429 waits as told, a 5xx or a refused
connection is retried with exponential backoff, and a request that reached the
endpoint but got no answer is handled by an explicit policy and counted.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import apprise
import requests

from scheduler.alerts.messages import (
    Message,
    article_message,
    digest_message,
    follow_up_message,
)
from scheduler.alerts.rules import AlertConfig, AlertRule, Target, in_quiet_hours
from scheduler.tagging.rules import Rules
from storage import outbox
from storage.articles import tags_by_kind
from storage.outbox import DueAlert
from storage.stories import timeline
from veille.model import AlertKind, AlertMode, AlertStatus, MessageKind, NoAnswerPolicy
from veille.net import parse_retry_after
from veille.redact import register_secret

if TYPE_CHECKING:
    import sqlite_utils

logger = logging.getLogger(__name__)

BACKOFF_BASE_S = 30.0
BACKOFF_MAX_S = 3600.0
ABANDONED_AFTER_S = 300.0  # a 'sending' claim older than this belongs to a dead process
_observe_lock = threading.Lock()


@dataclass
class Outcome:
    ok: bool
    detail: str = ""
    retry_after: float | None = None
    no_answer: bool = False


@dataclass
class SendReport:
    sent_messages: int = 0
    delivered: int = 0  # alerts (articles) delivered
    retrying: int = 0
    failed: int = 0
    no_answer: int = 0
    held: int = 0
    details: list[str] = field(default_factory=list)


@contextlib.contextmanager
def observe_http() -> Iterator[list[Outcome]]:
    """Record the HTTP outcome of every request made while sending."""
    seen: list[Outcome] = []
    original = requests.Session.send

    def send(session: requests.Session, request: Any, **kwargs: Any) -> Any:
        try:
            response = original(session, request, **kwargs)
        except requests.exceptions.ReadTimeout:
            seen.append(Outcome(False, "sent, but no answer before the timeout", no_answer=True))
            raise
        except requests.exceptions.ConnectionError:
            seen.append(Outcome(False, "connection refused or failed"))
            raise
        ok = 200 <= response.status_code < 300
        seen.append(Outcome(ok, f"HTTP {response.status_code}",
                            parse_retry_after(response.headers.get("Retry-After"))))
        return response

    # Apprise makes its own requests calls: the only place to see their answers is the
    # Session class, patched for the duration of one send (one at a time).
    with _observe_lock:
        setattr(requests.Session, "send", send)  # noqa: B010
        try:
            yield seen
        finally:
            setattr(requests.Session, "send", original)  # noqa: B010


def send_message(target: Target, message: Message) -> Outcome:
    """One message to one target, with what the endpoint answered."""
    notifier = apprise.Apprise()
    notifier.add(target.url)
    with observe_http() as seen:
        result = notifier.notify(body=message.body, title=message.title)
    if result:
        return Outcome(True, "delivered")
    if seen:
        return seen[-1]
    return Outcome(False, "the service refused the message (see its log)")


def backoff(attempts: int) -> float:
    return min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** max(0, attempts - 1))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


class Sender:
    """Sends what is due in the outbox, immediately or as digests."""

    def __init__(self, db: sqlite_utils.Database, config: AlertConfig,
                 rules: Rules | None = None) -> None:
        self.db = db
        self.config = config
        self.labels = {t.name: t.label for t in rules.all_tags} if rules else {}
        logging.getLogger("apprise").setLevel(logging.WARNING)  # its DEBUG lines show URLs
        for rule in config.rules:
            for target in rule.targets:
                register_secret(target.url, target.masked)

    # -- the pass ------------------------------------------------------------

    def deliver(self, now: datetime | None = None) -> SendReport:
        now = now or datetime.now(UTC)
        report = SendReport()
        self._recover(now, report)
        groups: dict[tuple[str, str], list[DueAlert]] = defaultdict(list)
        for row in outbox.due(self.db, _iso(now)):
            groups[(row.rule, row.target_id)].append(row)
        for (rule_name, target_id), rows in groups.items():
            rule = self.config.rule(rule_name)
            target = next((t for t in rule.targets if t.id == target_id), None) if rule else None
            if rule is None or target is None:
                outbox.mark(self.db, [r.id for r in rows], AlertStatus.FAILED,
                            last_error="rule or target no longer in the alerts file")
                report.failed += len(rows)
                continue
            self._deliver_group(rule, target, rows, now, report)
        return report

    def _recover(self, now: datetime, report: SendReport) -> None:
        stale = outbox.abandoned(self.db, _iso(now - timedelta(seconds=ABANDONED_AFTER_S)))
        if stale:
            logger.warning("%d alert(s) were being sent when a process stopped: outcome "
                           "unknown, handled as unanswered sends", len(stale))
            outbox.count_attempt(self.db, stale, no_answer=True)
            self._no_answer(stale, now, report, "process stopped during the send")

    def _deliver_group(self, rule: AlertRule, target: Target, rows: list[DueAlert],
                       now: datetime, report: SendReport) -> None:
        quiet = in_quiet_hours(rule, now, self.config.timezone)
        immediate = [r for r in rows if r.mode == AlertMode.IMMEDIATE and not r.folded]
        waiting = [r for r in rows if r not in immediate]
        if quiet and immediate:
            outbox.mark(self.db, [r.id for r in immediate], AlertStatus.PENDING, folded=1)
            report.held += len(immediate)
            return
        for row in immediate:
            if self._over_rate(rule, target, now):
                outbox.mark(self.db, [row.id], AlertStatus.PENDING, folded=1)
                report.held += 1
                continue
            self._send(rule, target, [row], now, report, digest=False)
        if waiting and not quiet and self._digest_due(rule, target, waiting, now) \
                and not self._over_rate(rule, target, now):
            self._send(rule, target, waiting, now, report, digest=True)
        elif waiting:
            report.held += len(waiting)

    # -- when --------------------------------------------------------------------

    def _over_rate(self, rule: AlertRule, target: Target, now: datetime) -> bool:
        if rule.max_per_hour is None:
            return False
        since = _iso(now - timedelta(hours=1))
        return outbox.sent_since(self.db, target.id, since) >= rule.max_per_hour

    def _digest_due(self, rule: AlertRule, target: Target, rows: list[DueAlert],
                    now: datetime) -> bool:
        """Folded alerts (quiet hours over, or the hourly cap freed) go now; a digest rule's
        alerts go on its schedule: every N, or daily at HH:MM local time."""
        if rule.mode == AlertMode.IMMEDIATE:
            return True
        last = outbox.last_digest(self.db, rule.name, target.id)
        oldest = min(r.created_at for r in rows)
        if rule.every_s is not None:
            start = datetime.fromisoformat(last or oldest)
            return now >= start + timedelta(seconds=rule.every_s)
        if rule.at is None:  # load_alerts gives every digest one or the other
            return True
        local = now.astimezone(self.config.timezone)
        slot = local.replace(hour=rule.at.hour, minute=rule.at.minute, second=0, microsecond=0)
        if slot > local:
            slot -= timedelta(days=1)
        # A time that does not exist that day (DST) is read as the next one that does.
        slot_utc = _iso(slot)
        return oldest <= slot_utc and (last is None or last < slot_utc)

    # -- sending -----------------------------------------------------------------

    def _send(self, rule: AlertRule, target: Target, rows: list[DueAlert], now: datetime,
              report: SendReport, *, digest: bool) -> None:
        ids = outbox.claim(self.db, [r.id for r in rows])
        rows = [r for r in rows if r.id in ids]
        if not rows:
            return  # another process is sending them
        tags = tags_by_kind(self.db, [r.article_id for r in rows])
        zone = self.config.timezone
        if digest:
            reason = ("Articles retenus pendant les heures calmes ou au-delà du plafond "
                      "horaire." if rule.mode == AlertMode.IMMEDIATE else "")
            message = digest_message(rows, tags, zone, target.body_max, target.title_max, reason,
                                     self.labels)
        elif rows[0].kind == AlertKind.FOLLOW_UP and rows[0].story_id is not None:
            first_seen: dict[str, str] = {}
            for appearance in timeline(self.db, rows[0].story_id):
                first_seen.setdefault(appearance.outlet, appearance.at)
            message = follow_up_message(rows[0], list(first_seen.items()), zone,
                                        target.body_max, target.title_max)
        else:
            message = article_message(rows[0], tags[rows[0].article_id], zone,
                                      target.body_max, target.title_max, self.labels)
        outcome = send_message(target, message)
        kind = MessageKind.DIGEST if digest else MessageKind.IMMEDIATE
        outbox.count_attempt(self.db, ids, no_answer=outcome.no_answer)
        outbox.log_message(self.db, rule.name, target.id, target.masked, kind, len(ids),
                           outcome.ok, outcome.detail, _iso(now))
        if outcome.ok:
            outbox.mark(self.db, ids, AlertStatus.SENT, sent_at=_iso(now), last_error=None)
            report.sent_messages += 1
            report.delivered += len(ids)
            logger.info("alert %s → %s: %s (%d article(s))", rule.name, target.masked, kind,
                        len(ids), extra={"event": "alert"})
        elif outcome.no_answer:
            self._no_answer(ids, now, report, outcome.detail)
        else:
            self._retry(ids, rows, now, report, outcome)

    def _retry(self, ids: list[int], rows: list[DueAlert], now: datetime,
               report: SendReport, outcome: Outcome) -> None:
        attempts = max(r.attempts for r in rows) + 1
        if attempts >= self.config.max_attempts:
            outbox.mark(self.db, ids, AlertStatus.FAILED, last_error=outcome.detail)
            report.failed += len(ids)
            logger.error("alert(s) %s failed after %d attempts: %s", ids, attempts,
                         outcome.detail)
            return
        wait = outcome.retry_after if outcome.retry_after is not None else backoff(attempts)
        outbox.mark(self.db, ids, AlertStatus.PENDING, last_error=outcome.detail,
                    next_attempt_at=_iso(now + timedelta(seconds=wait)))
        report.retrying += len(ids)
        logger.warning("alert(s) %s not delivered (%s): next try in %.0fs", ids, outcome.detail,
                       wait)

    def _no_answer(self, ids: list[int], now: datetime, report: SendReport, detail: str) -> None:
        """The endpoint may have the message. Policy `retry`: at least once (a duplicate is
        possible, and counted); `give_up`: at most once (recorded as unconfirmed)."""
        report.no_answer += len(ids)
        if self.config.on_no_answer == NoAnswerPolicy.GIVE_UP:
            outbox.mark(self.db, ids, AlertStatus.UNCONFIRMED, last_error=detail)
            return
        attempts = outbox.most_attempts(self.db, ids) or 1
        if attempts >= self.config.max_attempts:
            outbox.mark(self.db, ids, AlertStatus.FAILED, last_error=detail)
            report.failed += len(ids)
            return
        outbox.mark(self.db, ids, AlertStatus.PENDING, last_error=detail,
                    next_attempt_at=_iso(now + timedelta(seconds=backoff(attempts))))
        report.retrying += len(ids)


def test_message(target: Target) -> Outcome:
    """`veille alerts test`: a message that says what it is."""
    message = Message("[veille] Message de test",
                      "Ceci est un message de test de veille : cette cible reçoit bien les "
                      "alertes. Aucune action n'est requise.")
    return send_message(target, message)

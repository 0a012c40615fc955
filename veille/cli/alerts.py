"""`veille alerts`: test a target, see the outbox, send what is due."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from veille.cli.common import Options, config_error, print_alert_report, require_db
from veille.config import ConfigError
from veille.model import ExitCode

if TYPE_CHECKING:
    from scheduler.alerts.rules import AlertConfig


@click.group()
def alerts() -> None:
    """Chat alerts: try a target, see what is pending or failed, send what is due.

    Alert rules live in the file given by --alerts (or VEILLE_ALERTS).
    `veille crawl` and `veille run` send alerts after each run.

    \b
    Example:
      veille --alerts alerts.toml alerts status
    """


def _alert_config(opts: Options) -> AlertConfig:
    try:
        config = opts.alerts(required=True)
    except ConfigError as exc:
        config_error(exc)
    if config is None:  # required=True raised instead
        config_error(ConfigError("--alerts", "no alerts file"))
    return config


@alerts.command("test")
@click.argument("target_or_rule")
@click.pass_obj
def alerts_test(opts: Options, target_or_rule: str) -> None:
    """Send a test message to a rule's targets, or to one Apprise URL.

    The URL may use ${VARIABLE} for secrets; tokens are masked in the output.
    Exit status 1 when a target did not receive it.

    \b
    Examples:
      veille --alerts alerts.toml alerts test ukraine
      veille alerts test 'json://127.0.0.1:8080/hook'
      veille alerts test '${SLACK_WEBHOOK}'
    """
    from scheduler.alerts.rules import make_target, resolve_env
    from scheduler.alerts.sender import test_message
    from veille.redact import register_secret

    config = opts.alerts() if opts.alerts_path else None
    rule = config.rule(target_or_rule) if config else None
    try:
        targets = list(rule.targets) if rule else [make_target(
            resolve_env(target_or_rule, "argument", "TARGET_OR_RULE", "target"), "argument",
            "TARGET_OR_RULE")]
    except ConfigError as exc:
        config_error(exc)
    failures = 0
    for target in targets:
        register_secret(target.url, target.masked)
        outcome = test_message(target)
        failures += not outcome.ok
        click.echo(f"{'sent' if outcome.ok else 'FAILED'}: {target.masked} ({outcome.detail})")
    sys.exit(ExitCode.FAILED if failures else ExitCode.OK)


@alerts.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per target.")
@click.pass_obj
def alerts_status(opts: Options, as_json: bool) -> None:
    """Alerts pending, sent and failed per target, with the last error.

    \b
    Example:
      veille --db news.db alerts status
    """
    from storage.db import open_for_reading
    from storage.outbox import status_counts

    if opts.alerts_path:  # a rules file given must be a good one, as for `alerts send`
        _alert_config(opts)
    require_db(opts.db)
    rows = status_counts(open_for_reading(opts.db))
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        click.echo("No alert yet.")
        return
    width = max(len("rule"), *(len(r["rule"]) for r in rows))
    click.echo(f"{'rule':<{width}}  {'target':<45} {'pending':>7} {'sent':>6} {'failed':>6} "
               f"{'no answer':>9}  last error")
    for row in rows:
        click.echo(f"{row['rule']:<{width}}  {row['target'][:45]:<45} {row['pending']:>7} "
                   f"{row['sent']:>6} {row['failed']:>6} {row['no_answer']:>9}  "
                   f"{row['last_error'] or '-'}")


@alerts.command("send")
@click.pass_obj
def alerts_send(opts: Options) -> None:
    """Deliver the alerts that are due: new ones, retries, and digests on schedule.

    For cron when crawls run elsewhere; `veille crawl` and `veille run`
    already send after each run.

    \b
    Example:
      veille --db news.db --alerts alerts.toml alerts send
    """
    from scheduler.alerts.sender import Sender
    from storage.db import open_db

    config = _alert_config(opts)
    require_db(opts.db)
    print_alert_report(Sender(open_db(opts.db), config, opts.rules()).deliver())

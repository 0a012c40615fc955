"""Alert rules and messages: the checks at startup, and French messages safe for chat."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from scheduler.alerts.messages import article_message, digest_message, neutralise
from scheduler.alerts.rules import make_target
from storage.outbox import DueAlert
from veille.model import AlertMode, TagKind

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def due(n: int, title: str, text: str = "Texte", url: str = "https://x.fr/a") -> DueAlert:
    return DueAlert(id=n, rule="r", target_id="t", mode=AlertMode.IMMEDIATE, folded=0,
                    attempts=0, created_at=T0.isoformat(), article_id=n, title=title, text=text,
                    url=url, source="monde", sitename="Le Monde", published_at=T0.isoformat(),
                    fetched_at=T0.isoformat())


def test_messages_neutralise_mentions_and_fit_service_limits():
    article = due(1, "@everyone <!channel> @here alerte",
                  "Texte <@U024BE7LH> " + "très long " * 1000)
    discord = make_target("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", "f", "r")
    telegram = make_target("tgram://123456789:abcdefg_hijklmnop/12315544", "f", "r")
    assert (discord.body_max, telegram.body_max) == (2000, 4096)
    zone = ZoneInfo("Europe/Paris")
    for target in (discord, telegram):
        message = article_message(article, {TagKind.TOPIC: ["ukraine"]}, zone, target.body_max,
                                  target.title_max)
        assert len(message.body) <= target.body_max
        assert message.body.endswith("https://x.fr/a")
        for text in (message.title, message.body):
            assert "@everyone" not in text and "<!channel>" not in text
            assert "@here" not in text and "<@U024" not in text
    many = [due(n, f"Titre {n}", article.text, f"https://x.fr/{n}") for n in range(200)]
    digest = digest_message(many, {n: {TagKind.TOPIC: ["ukraine"]} for n in range(200)}, zone,
                            discord.body_max, discord.title_max)
    assert len(digest.body) <= 2000 and "autre(s) article(s)" in digest.body
    assert neutralise("ok @everyone") == "ok @\u200beveryone"

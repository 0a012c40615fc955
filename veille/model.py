"""The shared vocabulary of veille: the types that cross from one room to another.

Everything here is plain data (dataclasses and string enums) and imports nothing
of veille's own packages, so that `storage/`, `crawler/`, `scheduler/` and the
command line can all speak of a source, an article or an outcome in the same
words. Each type says where it is made and who reads it.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

# -- configuration ---------------------------------------------------------------

DEFAULT_EVERY_S = 15 * 60
DEFAULT_MAX_AGE_S = 3 * 24 * 3600
DEFAULT_BUDGET = 1000  # a full Google News sitemap lists at most 1,000 URLs
DEFAULT_LANGUAGES: tuple[str, ...] = ("fr",)
# The languages the detector can name (ISO 639-1): every language written in the Latin,
# Cyrillic, Greek or Arabic script that langdetect knows. A source's `languages` must
# be among them, or no article could ever match.
DETECTABLE_LANGUAGES: tuple[str, ...] = (
    "af", "ar", "bg", "ca", "cs", "cy", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr",
    "hr", "hu", "id", "it", "lt", "lv", "mk", "nl", "no", "pl", "pt", "ro", "ru", "sk", "sl",
    "so", "sq", "sv", "sw", "tl", "tr", "uk", "vi",
)


class SourceKind(StrEnum):
    """How a source lists its articles."""

    FEED = "feed"  # RSS or Atom
    SITEMAP = "sitemap"  # news sitemap, sitemap or sitemap index
    PAGE = "page"  # a section or home page with links to articles


@dataclass(frozen=True)
class Source:
    """One place veille reads links from (an entry of the sources file)."""

    name: str
    url: str
    kind: SourceKind = SourceKind.FEED
    enabled: bool = True
    allow_private: bool = False
    follow_offsite: bool = False
    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    every_s: float = DEFAULT_EVERY_S  # how often the daemon crawls it
    max_age_s: float = DEFAULT_MAX_AGE_S  # sitemaps: older entries are not fetched
    include: tuple[str, ...] = ()  # pages: regexes a link must match (one of)
    exclude: tuple[str, ...] = ()  # pages: regexes a link must not match
    budget: int = DEFAULT_BUDGET  # requests per run for this source
    recheck_s: float = 0.0  # re-fetch stored articles younger than this, for updates


@dataclass(frozen=True)
class CrawlOptions:
    """How one crawl runs, from the command line or the daemon down to the pipeline."""

    trigger: str = "manual"  # recorded in the run history: manual, cron, scheduled...
    keep_offtopic: bool = False  # store French articles that match no topic
    workers: int | None = None  # extraction processes (None: one per CPU core)
    download_timeout_s: float = 20.0
    wait_s: float = 0.0  # wait this long for sources another process is crawling
    progress: bool = False  # a progress line on stderr, when it is a terminal


# -- what the crawler collects -----------------------------------------------------


@dataclass(frozen=True)
class FeedEntry:
    """A link announced by a feed, a sitemap or a section page (crawler → pipeline)."""

    url: str
    title: str = ""
    published_at: str | None = None  # ISO 8601 UTC, None when absent or unparseable
    summary: str = ""
    keywords: str | None = None  # news sitemaps' news:keywords


@dataclass(frozen=True)
class Extracted:
    """The main text and metadata of a page, as trafilatura found them."""

    title: str | None
    text: str
    author: str | None
    published_at: str | None
    sitename: str | None
    description: str | None
    canonical_link: str | None
    encoding: str
    credits: str | None = None  # JSON-LD authors, source organisation, credit text ("; ")


class TagKind(StrEnum):
    TOPIC = "topic"  # nato, russia, ukraine
    SUBTOPIC = "subtopic"  # tagged only under a tagged parent topic
    ENTITY = "entity"  # a person, place or organisation, tagged whenever named


@dataclass
class TopicMatch:
    """One tag of an article: a topic, sub-topic or entity, its score and evidence."""

    topic: str
    score: float
    evidence: list[dict[str, Any]] = field(default_factory=list)
    kind: TagKind = TagKind.TOPIC
    parents: list[str] = field(default_factory=list)  # sub-topics: the topics they sit under


@dataclass
class TagResult:
    """What the tagger found in one text (made in the extraction workers)."""

    tags: list[TopicMatch] = field(default_factory=list)  # every tag that passed
    scores: dict[str, float] = field(default_factory=dict)  # main topics, passed or not
    contexts: list[str] = field(default_factory=list)
    suppressed: dict[str, str] = field(default_factory=dict)  # topic -> context
    not_tagged: list[TopicMatch] = field(default_factory=list)  # found, below threshold

    @property
    def topics(self) -> list[TopicMatch]:
        return [t for t in self.tags if t.kind == TagKind.TOPIC]


@dataclass(frozen=True)
class Fingerprint:
    """A text's MinHash: what finds its near-copies (scheduler/dedup/near.py)."""

    signature: bytes  # NUM_PERM uint32 hash values
    shingles: int  # how many distinct shingles the text has
    bands: tuple[int, ...]  # BANDS band keys (signed 64-bit, for SQLite)


@dataclass(frozen=True)
class Terms:
    """What a story is matched on (scheduler/stories/terms.py)."""

    weights: dict[str, float]  # term -> its worth in French (before what stored ones share)
    days: frozenset[str]  # the days the lead puts its event on, as "!YYYY-MM-DD"

    @property
    def all(self) -> set[str]:
        return set(self.weights) | set(self.days)


@dataclass(frozen=True)
class StoryFeatures:
    """What is computed about an article before the database is asked which story it
    belongs to: in the extraction workers, off the process that stores."""

    text: str  # without credit lines and dateline
    shingles: array[int]  # its distinct shingle keys ("Q": scheduler/dedup/near.py)
    fingerprint: Fingerprint | None
    terms: Terms
    wire: str | None
    # what the terms were computed from: the storing process computes them again when
    # the title or the date it stores differ (a title from the feed, a feed's date)
    title: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class SearchWords:
    """A title's and a text's words as the search index holds them (folded lemmas,
    veille.text.lemma_words), computed in an extraction worker for the title it had."""

    title: str | None
    title_words: str
    text_words: str


@dataclass
class TextAnalysis:
    """What the analysis passed in to the crawl computes about an extracted page."""

    tags: TagResult = field(default_factory=TagResult)
    story: StoryFeatures | None = None
    search: SearchWords | None = None
    content_hash: str | None = None  # of the text: what exact duplicates share


@dataclass
class PageResult:
    """What a worker learnt from one page: its text, its language, its tags and what its
    story is matched on."""

    extracted: Extracted | None
    language: str = "und"
    language_score: float = 0.0
    tags: TagResult = field(default_factory=TagResult)
    story: StoryFeatures | None = None
    search: SearchWords | None = None
    content_hash: str | None = None  # None: not computed by the worker


@dataclass(frozen=True)
class Recheck:
    """A stored article fetched again to see whether its text changed."""

    article_id: int
    content_hash: str


@dataclass(frozen=True)
class ArticleItem:
    """A downloaded article page with what the workers made of it (crawler → pipeline)."""

    source: str
    url: str  # the URL that answered, after redirects
    requested_key: str  # the canonical URL the request was made for
    entry: FeedEntry
    result: PageResult
    fetched_at: str
    recheck: Recheck | None = None


# -- what the pipeline decides and stores -----------------------------------------


class Outcome(StrEnum):
    """What became of one downloaded article (counted per source in the run summary)."""

    NEW = "new"
    UPDATED = "updated"  # a rechecked article whose text changed
    UNCHANGED = "unchanged"  # a rechecked article whose text did not
    DUPLICATE = "duplicate"
    NOT_FRENCH = "not_french"
    OFFTOPIC = "offtopic"
    NO_TEXT = "no_text"

    @property
    def stored(self) -> bool:
        return self in (Outcome.NEW, Outcome.UPDATED)


class SeenStatus(StrEnum):
    """The decision recorded about an article URL (seen_urls.status)."""

    STORED = "stored"
    DUPLICATE = "duplicate"
    NOT_FRENCH = "not_french"
    OFFTOPIC = "offtopic"
    NO_TEXT = "no_text"
    GONE = "gone"  # 404 or 410
    ERROR = "error"  # retried in later runs, up to a few attempts

    @property
    def final(self) -> bool:
        """A URL with a final status is never downloaded again."""
        return self != SeenStatus.ERROR


# Decisions `veille forget` can undo: every one but a stored article's.
FORGETTABLE = tuple(s for s in SeenStatus if s != SeenStatus.STORED)


@dataclass(frozen=True)
class ArticleRecord:
    """One row of the articles table, as the pipeline stores it."""

    url: str  # as a reader should get it: tracking parameters removed
    canonical_url: str  # the dedup key
    source: str
    title: str | None
    text: str
    author: str | None
    published_at: str | None
    fetched_at: str
    language: str
    language_score: float
    content_hash: str
    description: str | None
    sitename: str | None
    feed_title: str | None
    keywords: str | None
    run_id: int | None
    copy_of: int | None = None  # the first stored article of its near-copies
    wire: str | None = None  # the agency whose dispatch the text is (wires.toml id)
    story_id: int | None = None
    search: SearchWords | None = None  # the search index's words, when a worker made them


@dataclass(frozen=True)
class StoryFacts:
    """What alert rules and messages know of an article's story."""

    id: int
    title: str | None
    first_seen_at: str
    outlets: int
    articles: int


# -- runs --------------------------------------------------------------------------


class RunStatus(StrEnum):
    """crawl_runs.status and source_runs.status."""

    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"  # some sources failed
    FAILED = "failed"  # every source failed
    INTERRUPTED = "interrupted"  # stopped by a signal, or its process died
    TIMEOUT = "timeout"  # stopped by the daemon at its deadline
    SKIPPED = "skipped"  # not started: another process held the source
    MISSED = "missed"  # not started: the daemon was too late
    ERROR = "error"  # the crawl itself raised


class HealthState(StrEnum):
    OK = "ok"
    FAILING = "failing"
    SILENT = "silent"
    STALE = "stale"  # not run for many of its intervals: the scheduler stopped, or cron
    NEVER_RUN = "never run"


class ExitCode(IntEnum):
    """Exit statuses of the `veille` command, for cron, systemd and scripts."""

    OK = 0
    FAILED = 1  # every source failed; a source is unhealthy; a line could not be tagged
    CONFIG = 2  # a configuration or usage error, or an unusable database: nothing was done
    STORAGE = 74  # EX_IOERR: the database could not be written (disk full, read-only)
    BUSY = 75  # EX_TEMPFAIL: another process holds the sources; try again later
    INTERRUPTED = 130  # SIGINT or SIGTERM; the work done so far is kept


# -- alerts ------------------------------------------------------------------------


class AlertMode(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"


class AlertStatus(StrEnum):
    """alert_outbox.status."""

    PENDING = "pending"  # to send, or to retry at next_attempt_at
    SENDING = "sending"  # a send began and its outcome is not recorded yet
    SENT = "sent"
    FAILED = "failed"  # given up after max attempts
    UNCONFIRMED = "unconfirmed"  # sent, never answered, and the policy is not to retry


class AlertKind(StrEnum):
    FIRST = "first"  # the first matching article of a story
    FOLLOW_UP = "follow_up"  # the story reached the rule's number of outlets


class NoAnswerPolicy(StrEnum):
    RETRY = "retry"  # at least once: never lost, may duplicate (counted)
    GIVE_UP = "give_up"  # at most once: recorded as unconfirmed


class MessageKind(StrEnum):
    """alert_messages.kind: what a message was."""

    IMMEDIATE = "immediate"  # one article
    DIGEST = "digest"  # several, grouped
    TEST = "test"  # `veille alerts test`


class SearchSort(StrEnum):
    """The order of search results and exports."""

    RELEVANCE = "relevance"  # best match first (title words count five times)
    DATE = "date"  # newest first, by publication date (fetch date when it has none)


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


@dataclass(frozen=True)
class SearchFilters:
    """What `veille search` and `veille export` select: words (the search syntax of
    storage/search.py) and filters, each kind an OR of its values, all kinds together."""

    query: str | None = None
    topics: tuple[str, ...] = ()  # topic ids
    subtopics: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    since: str | None = None  # ISO 8601 UTC, inclusive
    until: str | None = None  # ISO 8601 UTC, exclusive
    sort: SearchSort = SearchSort.RELEVANCE


@dataclass(frozen=True)
class SearchHit:
    """One article found, with its tags, as search and export give it."""

    id: int
    url: str
    source: str
    title: str | None
    published_at: str | None
    fetched_at: str
    topics: dict[str, float]  # topic id -> score
    subtopics: dict[str, float]
    entities: dict[str, float]
    story_id: int | None
    copy_of: int | None
    wire: str | None
    score: float | None  # relevance (bm25, higher is better); None without words
    snippet: str
    text: str | None = None  # with --text

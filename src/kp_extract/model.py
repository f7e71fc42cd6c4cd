"""The data model: what flows from one pipeline stage to the next.

read -> Page; clean -> Page (with chrome spans and metadata); segment -> Block;
language -> Block.language; extract -> Mention; dedupe -> Project, Partnership;
export writes Projects and Partnerships. Every value keeps its provenance as a
Source (file, character offsets into the decoded, newline-normalised text).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True, slots=True)
class Source:
    """A span of a page: `file` is the page's path relative to the input folder."""

    file: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return {"file": self.file, "start": self.start, "end": self.end}


@dataclass(frozen=True, order=True, slots=True)
class CitedSource(Source):
    """A source with where its page came from (run --manifest, or an HTML page's canonical URL):
    `source_url` and `retrieved_at` (ISO 8601), None when unknown. Made only at export
    (pipeline.cite_sources), after dedupe."""

    source_url: str | None = None
    retrieved_at: str | None = None

    def to_dict(self) -> dict:
        out = {"file": self.file, "start": self.start, "end": self.end}
        if self.source_url is not None:
            out["source_url"] = self.source_url
        if self.retrieved_at is not None:
            out["retrieved_at"] = self.retrieved_at
        return out


@dataclass(frozen=True, slots=True)
class ConflictValue:
    """One value the sources of a record state for a field, and every source that states it."""

    value: str | int | float
    sources: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class Conflict:
    """A field of a record whose sources disagree: every value they state, in the order of each value's
    first source. The record's own field keeps the value the GUIDE's rule picks; what counts as a
    disagreement, field by field, is said in stages/s6_dedupe.py (conflicts)."""

    field: str
    values: tuple[ConflictValue, ...]


@dataclass(slots=True)
class Page:
    """One decoded page dump.

    `text` is the decoded text with newlines normalised to "\\n"; every offset
    in the pipeline is an index into it. `chrome` holds (start, end) spans that
    clean marked as site chrome; `metadata` holds page facts such as
    `last_updated` (ISO date) or `listing_filter`. For an HTML page, `text` is
    the main text trafilatura extracted (stages/s1_read_html.py), and `title`,
    `url` (canonical link, else og:url) and `date` (ISO) are the page's own,
    when it gives them; None for text dumps.
    """

    file: str
    text: str
    sha256: str
    encoding: str = "utf-8"
    chrome: list[tuple[int, int]] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    title: str | None = None
    url: str | None = None
    date: str | None = None


@dataclass(slots=True)
class Block:
    """A contiguous span of a page with one role.

    kind is one of: heading, title, prose, bullet, footer, filter, chrome.
    `item` numbers the item (card, news article, page section group) the block
    belongs to, in page order; `section` numbers the heading-led section inside
    the item. `text` is page.text[start:end].
    """

    file: str
    start: int
    end: int
    text: str
    kind: str
    item: int = 0
    section: int = 0
    language: str | None = None

    @property
    def source(self) -> Source:
        return Source(self.file, self.start, self.end)


@dataclass(slots=True)
class Partner:
    """A resolved Swedish municipality or region: canonical name and official code."""

    name: str
    code: str | None
    kind: str = "municipality"  # municipality | region


@dataclass(slots=True)
class Mention:
    """One project as one place in the text describes it, before deduplication."""

    file: str
    title: str | None = None
    swedish_partners: list[Partner] = field(default_factory=list)
    international_partners: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    project_areas: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    sdgs: list[int] = field(default_factory=list)
    start_date: str | None = None
    end_date: str | None = None
    duration_years: float | None = None
    amount_sek: int | None = None
    tags: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    summary: str = ""
    sources: list[Source] = field(default_factory=list)
    other_participants: list[str] = field(default_factory=list)
    # international partner name -> ISO country, where the text ties them
    partner_countries: dict[str, str] = field(default_factory=dict)
    kind: str = "project"  # project | prestudy (a pre-study, inception or preparatory phase)
    # the one country the surrounding item's headline/lead or the listing filter names: a last resort
    context_country: str | None = None
    # the model's belief that this is a project of its parties (extract/scoring.py), 0..1
    confidence: float = 1.0
    # what proposed it: a structure rule ('card', 'bullet', 'grant', …; extract/proposals.py), or the
    # model ('pair': a pair it believes is a project; 'title': a title it believes names one)
    via: str = ""
    # a hash of the normalised text the mention was read from (its sources' text): what keys an untitled
    # record across crawls, where file names and offsets change (stages/s6_dedupe.record_id)
    fingerprint: str = ""


@dataclass(slots=True)
class PartnershipMention:
    """A statement (or a project) that a Swedish body and a partner abroad work together."""

    file: str
    swedish_partner: Partner
    international_partner: str
    country: str | None
    since_year: int | None
    source: Source
    # further places of the same page that state exactly the same (compacted in the main process)
    more_sources: tuple[Source, ...] = ()
    # the model's belief that the two are partners (extract/scoring.py), 0..1
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Decision:
    """One reviewer's judgement from a --decisions file (stages/s7_decide.py), as a record carries it.

    action: reject, merge, split, promote or set; target: a record_id, a title or
    "Swedish partner / partner abroad"; field and value as the file wrote them (value is text: `set`
    types it by the schema when it applies it); reviewer, date and note are the reviewer's own.
    """

    action: str
    target: str
    field: str = ""
    value: str = ""
    reviewer: str = ""
    date: str = ""
    note: str = ""

    def to_dict(self) -> dict:
        return {"action": self.action, "target": self.target, "field": self.field, "value": self.value,
                "reviewer": self.reviewer, "date": self.date, "note": self.note}


@dataclass(slots=True)
class Project:
    """One deduplicated project record, as exported."""

    record_id: str
    title: str | None
    swedish_partners: list[str]
    swedish_partner_codes: list[str]
    international_partners: list[str]
    other_participants: list[str]
    countries: list[str]
    project_areas: list[str]
    themes: list[str]
    sdgs: list[int]
    start_date: str | None
    end_date: str | None
    duration_years: float | None
    amount_sek: int | None
    tags: list[str]
    languages: list[str]
    summary: str
    sources: list[Source]
    # fields whose sources disagree, with every value they state (the record keeps the GUIDE's)
    conflicts: list[Conflict] = field(default_factory=list)
    possible_duplicates: list[str] = field(default_factory=list)
    confidence: float = 1.0  # the best confidence of its mentions (extract/scoring.py)
    decisions: list[Decision] = field(default_factory=list)  # the reviewer decisions applied to it (s7_decide)


@dataclass(slots=True)
class Partnership:
    """One (Swedish municipality/region, partner abroad) pair, as exported."""

    # kp-p- and 16 hex of the pair's key (s6_dedupe.partnership_id), set by dedupe. Keyword-only with a
    # default so that the positional fields stay as they were, and first so that it leads every format.
    partnership_id: str = field(default="", kw_only=True)
    swedish_partner: str
    swedish_partner_code: str | None
    international_partner: str
    country: str | None
    since_year: int | None
    project_ids: list[str]
    sources: list[Source]
    # fields whose sources disagree (country, since_year), with every value they state; keyword-only so that
    # confidence stays the next positional field, and after sources as in Project
    conflicts: list[Conflict] = field(default_factory=list, kw_only=True)
    confidence: float = 1.0  # the best confidence of its statements and projects (extract/scoring.py)
    decisions: list[Decision] = field(default_factory=list)  # the reviewer decisions applied to it (s7_decide)


@dataclass(frozen=True, slots=True)
class PartnershipProject:
    """One row of the partnership_projects link table: a partnership and one of its projects."""

    partnership_id: str
    project_id: str


@dataclass(frozen=True, slots=True)
class RunOptions:
    """What every worker of a run is told, once per task, whatever the engine (it is pickled to worker
    processes and Dask workers): the input folder (`root`, relative to which page files are named), the
    per-page cache (`cache_root` and the code/data `fingerprint` its keys are made with; both None
    without a cache), whether the digests keep the pages' contact rows (`include_contacts`) and the
    trained spaCy pipeline the workers parse with (`spacy_model`; None: a blank one, or the
    KP_EXTRACT_SPACY_MODEL environment variable of the worker when it has one)."""

    root: str
    cache_root: str | None = None
    fingerprint: str | None = None
    include_contacts: bool = False
    spacy_model: str | None = None


# What errors.jsonl and the summary add to the reason of a page that was only partly read.
PARTIAL = "page processed"


@dataclass(slots=True)
class FileError:
    """A file (or one stage of it) that could not be processed. partial: the page was processed all the
    same, with a warning (reason says what was left out), rather than skipped."""

    file: str
    stage: str
    reason: str
    partial: bool = False

    def shown_reason(self) -> str:
        """The reason as errors.jsonl and the summary show it: a partly read page's ends in
        "(page processed)"."""
        return f"{self.reason} ({PARTIAL})" if self.partial else self.reason


def unique(items) -> list:
    """The items in order of first appearance, without repeats."""
    out: list = []
    for x in items:
        if x not in out:
            out.append(x)
    return out


def unique_partners(partners) -> list[Partner]:
    """Swedish partners in order of first appearance, one per canonical name (None skipped)."""
    out: list[Partner] = []
    for p in partners:
        if p and all(p.name != q.name for q in out):
            out.append(p)
    return out

"""What the main process holds until dedupe, made small: every mention and partnership statement of
the corpus stays in memory until the corpus-wide dedupe, so their size is the run's memory growth.
compact and compact_statements share strings and Partner objects and move summaries to disk
(SummaryStore); held_objects_frozen keeps the collector from walking them again and again.
"""
from __future__ import annotations

import dataclasses
import gc
import inspect
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from operator import attrgetter
from types import MappingProxyType

from kp_extract.model import Mention, Partner, PartnershipMention, Project, Source


@contextmanager
def held_objects_frozen() -> Iterator:
    """Yields freeze(), which moves every object alive now into the collector's permanent generation;
    on exit they go back under collection (gc.unfreeze). Why: the main process holds every mention of
    the corpus until export, millions of objects with no reference cycles (freed by reference
    counting all the same), and each full collection walks all of them again: at 20 MB of input,
    freezing took dedupe from 5.3 to 4.2 s CPU in a whole run. Cyclic garbage frozen with them is
    reclaimed after the run, once unfrozen."""
    gc.freeze()  # what imports created (spaCy, tables): young objects are then only what the run makes
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


class SummaryStore:
    """Mention summaries on disk rather than in memory: the main process holds every mention until
    dedupe, and their text is most of their size. A summary becomes a short handle until export."""

    PREFIX = "\x00summary:"

    def __enter__(self) -> "SummaryStore":
        self.fh = tempfile.TemporaryFile(prefix="kp-summaries-")
        return self

    def __exit__(self, *exc) -> None:
        self.fh.close()

    def put(self, text: str) -> str:
        if not text:
            return text
        data = text.encode("utf-8")
        offset = self.fh.seek(0, os.SEEK_END)
        self.fh.write(data)
        return f"{self.PREFIX}{offset}:{len(data)}"

    def get(self, handle: str) -> str:
        if not handle.startswith(self.PREFIX):
            return handle
        offset, length = map(int, handle[len(self.PREFIX):].split(":"))
        self.fh.seek(offset)
        return self.fh.read(length).decode("utf-8")

    def resolve(self, project: Project) -> Project:
        """A copy of project with its summary text in place of the handle (project is not changed:
        the run keeps its projects, and their summaries stay on disk)."""
        if type(project) is not Project or not _PROJECT_INIT_IS_FIELDS:
            return dataclasses.replace(project, summary=self.get(project.summary))
        # dataclasses.replace, made quicker: Project's __init__ takes exactly its fields, in order,
        # so Project(*every field) is what replace builds; one C attrgetter reads them all.
        values = _project_fields(project)
        return Project(*values[:_SUMMARY_AT], self.get(project.summary), *values[_SUMMARY_AT + 1:])  # type: ignore[call-arg]


_PROJECT_FIELDS = [f.name for f in dataclasses.fields(Project)]
_PROJECT_INIT_IS_FIELDS = list(inspect.signature(Project).parameters) == _PROJECT_FIELDS
_project_fields = attrgetter(*_PROJECT_FIELDS)
_SUMMARY_AT = _PROJECT_FIELDS.index("summary")


NO_PARTNER_COUNTRIES: Mapping[str, str] = MappingProxyType({})  # one read-only empty map for most mentions


def compact(mentions: list[Mention], summaries: SummaryStore, interned: dict[str, Partner]) -> list[Mention]:
    """Mentions as the main process keeps them until dedupe, which only reads them: summaries on
    disk, one Partner object per body, lists as tuples (an empty one costs nothing), repeated
    values and file names as one shared string each. The main process holds every mention of the
    corpus, so their size is the run's memory growth. It runs while the workers extract, on the
    cores they use: the fields are named one by one and mapped in C rather than by generators."""
    intern = sys.intern
    # The tuples and the read-only map stand where Mention declares lists and a dict (hence the
    # ignored assignment types): nothing changes a mention after this, dedupe only reads it.
    for m in mentions:
        m.summary = summaries.put(m.summary)
        m.swedish_partners = tuple([interned.setdefault(p.name, p) for p in m.swedish_partners])  # type: ignore[assignment]
        m.file = intern(m.file)
        # values that repeat across the corpus (codes, labels, names): one string object each
        m.countries = tuple(map(intern, m.countries))  # type: ignore[assignment]
        m.project_areas = tuple(map(intern, m.project_areas))  # type: ignore[assignment]
        m.themes = tuple(map(intern, m.themes))  # type: ignore[assignment]
        m.tags = tuple(map(intern, m.tags))  # type: ignore[assignment]
        m.languages = tuple(map(intern, m.languages))  # type: ignore[assignment]
        m.international_partners = tuple(map(intern, m.international_partners))  # type: ignore[assignment]
        m.other_participants = tuple(m.other_participants)  # type: ignore[assignment]
        m.sdgs = tuple(m.sdgs)  # type: ignore[assignment]
        m.partner_countries = ({intern(n): intern(c) for n, c in m.partner_countries.items()}
                               if m.partner_countries else NO_PARTNER_COUNTRIES)  # type: ignore[assignment]
        if m.title:
            m.title = intern(m.title)
        m.sources = tuple(m.sources)  # type: ignore[assignment]  # unpickling already shares one file string per page
        if m.start_date:
            m.start_date = intern(m.start_date)
        if m.end_date:
            m.end_date = intern(m.end_date)
        m.kind = intern(m.kind)
        if m.context_country:
            m.context_country = intern(m.context_country)
    return mentions


def compact_statements(statements: list[PartnershipMention], interned: dict[str, Partner]
                       ) -> list[PartnershipMention]:
    """One page's statements as the main process keeps them: statements that say exactly the same
    (same bodies, name, country, year) become one with every source (dedupe reads them in the same
    order, so the partnerships come out the same); shared strings and Partner objects."""
    intern = sys.intern
    kept: dict[tuple, PartnershipMention] = {}
    repeats: dict[tuple, list[Source]] = {}
    for s in statements:
        sw = interned.setdefault(s.swedish_partner.name, s.swedish_partner)
        key = (sw.name, s.international_partner, s.country, s.since_year)
        if key in kept:
            repeats.setdefault(key, []).extend((s.source,) + tuple(s.more_sources))
            kept[key].confidence = max(kept[key].confidence, s.confidence)
            continue
        s.swedish_partner = sw
        s.country = intern(s.country) if s.country else s.country
        kept[key] = s
    for key, sources in repeats.items():
        kept[key].more_sources = tuple(kept[key].more_sources) + tuple(sources)
    return list(kept.values())

"""A deterministic, seeded generator of realistic page dumps for benchmarks and tests.

Every layout the pipeline knows, with varied names, numbers and words (never one
page copied N times: spaCy's caches would make repeats unrealistically fast):

* ``listing``: programme listing pages: cards headed "Växjö and Kalamba, Kenya",
  "Project: ..." titles, prose, and the glued footer (Projektområde / Globala mål /
  Tema / Svensk partner / Internationell partner / Etiketter);
* ``news``: programme news: "X och Y" sub-headings with "Samarbetsområde:",
  granted-funds bullets with SEK amounts, a quote, a glued footer;
* ``municipal``: a Swedish municipality's page with site chrome (alert banner,
  cookie banner, navigation, breadcrumbs, contact lines, "Senast uppdaterad"),
  partner sections "Kalamba, Kenya (2006 - )" and dated project bullets;
* ``english``: an English page about one partnership, with "Area of cooperation:".

Swedish municipalities come from data/municipalities.csv, countries from
data/countries.csv, project areas, themes and SDGs from their tables; partners
abroad are invented from syllables. Page i depends only on (seed, i), so a
smaller corpus is a prefix of a larger one with the same seed. A few pages are
written with CRLF newlines, a UTF-8 BOM or in cp1252, like real crawls.

    python -m kp_extract.bench.corpus OUT_DIR --mb 5 --seed 1
"""
from __future__ import annotations

import argparse
import csv
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kp_extract import DATA_DIR
LAYOUTS = ("listing", "news", "municipal", "english")
LAYOUT_WEIGHTS = (4, 2, 3, 2)


# ---------------------------------------------------------------- tables

@dataclass(frozen=True)
class Muni:
    short: str
    official: str


@dataclass(frozen=True)
class Country:
    iso: str
    en: str
    sv: str
    demonym_sv: str


@dataclass(frozen=True)
class Tables:
    munis: tuple[Muni, ...]
    countries: tuple[Country, ...]
    areas_en: tuple[str, ...]
    areas_sv: tuple[str, ...]
    themes: tuple[str, ...]
    sdgs: tuple[tuple[int, str, str], ...]


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def tables() -> Tables:
    munis = tuple(Muni(r["kommun"], r["official_name"]) for r in _rows("municipalities.csv")
                  if r.get("bare_ambiguous", "0") != "1")
    countries = []
    for r in _rows("countries.csv"):
        if r["iso2"] == "SE" or r.get("text_ambiguous"):
            continue
        demonyms = [d for d in (r.get("demonyms") or "").split("|") if d.endswith("ska") and d.islower()]
        countries.append(Country(r["iso2"], r["name_en"], r["name_sv"], demonyms[0] if demonyms else ""))
    areas_en, areas_sv = [], []
    for r in _rows("areas.csv"):
        areas_en.append(r["label"])
        sv = [v for v in (r.get("variants") or "").split("|") if v and not v.isascii()]
        areas_sv.append(sv[0] if sv else r["label"])
    themes = tuple(r["label"] for r in _rows("themes.csv"))
    sdgs = tuple((int(r["number"]), r["name_en"], r["name_sv"]) for r in _rows("sdgs.csv"))
    return Tables(munis, tuple(countries), tuple(areas_en), tuple(areas_sv), themes, sdgs)


# ---------------------------------------------------------------- vocabulary

SYLLABLES = ("ka", "la", "mbe", "ya", "to", "ri", "su", "na", "go", "vi", "lu", "ko", "sha", "ne", "da", "mo",
             "ti", "ze", "ru", "pa", "chi", "wa", "bo", "ha", "ni", "dra", "sla", "vo", "bi", "ta", "ma", "nge",
             "ki", "zo", "le", "mi", "tu", "se", "ba", "hu", "kra", "po", "li", "me", "gu", "ro", "an", "el")
FOREIGN_FORMS = ("{n} Local Municipality", "{n} District Council", "City of {n}", "{n} Municipality",
                 "{n} Town Council", "{n} City Council", "{n}", "{n}", "{n} Province", "Komuna {n}")
SV_FIRST = ("Anna", "Erik", "Maria", "Johan", "Karin", "Lars", "Sara", "Anders", "Emma", "Per", "Lena", "Nils",
            "Ingrid", "Oskar", "Elin", "Magnus", "Sofia", "Henrik", "Ida", "Mats", "Linnea", "Gustav")
SV_LAST = ("Lindqvist", "Berg", "Holm", "Sjöberg", "Ek", "Nyström", "Lund", "Falk", "Åberg", "Strand",
           "Hedlund", "Björk", "Wikström", "Dahl", "Forsberg", "Engström", "Palmblad", "Öberg")
SV_PREFIX = ("vatten", "avfalls", "stads", "kultur", "skol", "miljö", "energi", "trafik", "social", "demokrati",
             "ungdoms", "kvinno", "hälso", "bostads", "klimat", "medborgar", "biblioteks", "kris", "lednings",
             "arkiv", "budget", "dagvatten", "folkhälso", "jämställdhets", "integrations", "fritids", "park")
SV_SUFFIX = ("planering", "hantering", "förvaltning", "arbete", "frågor", "tjänster", "strategi", "system",
             "dialog", "nätverk", "beredskap", "utveckling", "program", "kompetens", "försörjning", "råd",
             "analys", "styrning", "politik", "arbetet", "planen", "frågorna")
SV_ADJ = ("hållbar", "demokratisk", "lokal", "jämlik", "tillgänglig", "digital", "gemensam", "långsiktig",
          "inkluderande", "öppen", "stark", "trygg", "effektiv", "kommunal", "regional", "ny", "bred")
SV_VERB = ("stärka", "utveckla", "förbättra", "bygga upp", "ta fram", "följa upp", "förankra", "pröva",
           "sprida", "samordna", "kartlägga", "utbilda", "involvera", "genomföra", "utvärdera", "främja")
SV_GROUP = ("unga", "äldre", "kvinnor", "barn", "nyanlända", "personer med funktionsnedsättning",
            "förtroendevalda", "tjänstepersoner", "civilsamhället", "skolor", "företag", "invånarna")
EN_NOUN = ("water management", "waste handling", "urban planning", "citizen dialogue", "archive management",
           "road safety", "public health", "youth participation", "climate adaptation", "e-services",
           "budget transparency", "crisis preparedness", "social care", "library services", "energy planning",
           "gender equality", "local democracy", "service delivery", "green spaces", "storm water")
EN_ADJ = ("sustainable", "inclusive", "transparent", "local", "effective", "participatory", "joint",
          "long-term", "accessible", "democratic", "responsive", "resilient", "municipal", "strategic")
EN_VERB = ("strengthen", "develop", "improve", "establish", "evaluate", "map", "train", "involve",
           "implement", "share", "coordinate", "pilot", "promote", "document")
EN_GROUP = ("young people", "women", "children", "minorities", "elected officials", "civil servants",
            "civil society", "schools", "local businesses", "residents in rural areas", "persons with disabilities")
MONTHS_SV = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
             "november", "december")
# Open-class words beyond the lists above. Real text keeps meeting words it has not seen yet
# (Heaps' law), and that is what makes spaCy's tokenizer, and any cache keyed on a string, slow on
# real pages: with the few hundred listed words alone the corpus tokenized at about 2 MB/s, twice
# the 1.1 MB/s measured on varied real text. So content slots often take a word from an open
# lexicon: a stem drawn by a Zipf-like rank (log-uniform over LEXICON_SIZE, so frequent stems recur
# across pages as real words do) with a Swedish or English ending.
LEXICON_SIZE = 5_000_000
OPEN_WORD_SHARE = 0.8  # of the content slots that take a word from the open lexicon
SV_ENDINGS = ("", "en", "et", "ar", "arna", "ens", "ning", "ningen", "isk", "iska", "are", "arnas", "er", "erna")
EN_ENDINGS = ("", "s", "ing", "ed", "er", "ers", "al", "ity", "ment", "ments", "tion", "ism", "ive")

NUMBER_WORDS_SV = {1: "ettårigt", 2: "tvåårigt", 3: "treårigt"}
NUMBER_WORDS_EN = {1: "one-year", 2: "two-year", 3: "three-year"}


@lru_cache(maxsize=1 << 16)
def lexicon_stem(rank: int) -> str:
    """The stem of the word of this rank: 2 to 4 syllables, a fixed function of the rank (a
    multiplicative hash picks the syllables), so every page spells a given rank the same way."""
    x = (rank * 2654435761 + 0x9E3779B9) % (1 << 40)
    n = 2 + x % 3
    x //= 3
    out = []
    for _ in range(n):
        out.append(SYLLABLES[x % len(SYLLABLES)])
        x //= len(SYLLABLES)
    return "".join(out)


class Gen:
    """Random choices for one page."""

    def __init__(self, seed: int, index: int):
        self.r = random.Random(f"kp-bench:{seed}:{index}")
        self.t = tables()

    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def foreign_short(self) -> str:
        n = 2 if self.r.random() < 0.1 else self.r.randint(3, 4)
        name = "".join(self.pick(SYLLABLES) for _ in range(n)).capitalize()
        if self.r.random() < 0.2:
            name += " " + "".join(self.pick(SYLLABLES) for _ in range(2)).capitalize()
        return name

    def foreign_full(self, short: str) -> str:
        return self.pick(FOREIGN_FORMS).format(n=short)

    def person(self) -> str:
        return f"{self.pick(SV_FIRST)} {self.pick(SV_LAST)}"

    def adj_def(self) -> str:
        """A Swedish adjective in its definite/plural form (hållbara, öppna, nya)."""
        adj = self.pick(SV_ADJ)
        if adj.endswith("en"):
            return adj[:-2] + "na"
        return adj + ("a" if adj[-1] not in "ay" else "") if not adj.endswith("ny") else "nya"

    def open_stem(self) -> str:
        """A stem from the open lexicon, by a Zipf-like rank."""
        return lexicon_stem(int(LEXICON_SIZE ** self.r.random()))

    def open_word(self, lang: str) -> str:
        """An open-class word: a lexicon stem with an ending of lang ("sv" or "en")."""
        return self.open_stem() + self.pick(SV_ENDINGS if lang == "sv" else EN_ENDINGS)

    def compound(self) -> str:
        """A Swedish compound noun: a listed prefix or an open stem, then a listed suffix."""
        if self.r.random() < OPEN_WORD_SHARE:
            return self.open_stem() + self.pick(SV_SUFFIX)
        return self.pick(SV_PREFIX) + self.pick(SV_SUFFIX)

    def en_noun(self) -> str:
        """An English noun phrase: a listed one, or an open word before a listed one."""
        if self.r.random() < OPEN_WORD_SHARE:
            return f"{self.open_word('en')} {self.pick(EN_NOUN)}"
        return self.pick(EN_NOUN)

    def years(self) -> tuple[int, int]:
        start = self.r.randint(2005, 2024)
        return start, start + self.r.randint(1, 3)

    def amount_sv(self) -> str:
        whole, dec = self.r.randint(0, 4), self.r.choice(("", ",5", ",25", ",75", ",3"))
        if whole == 0:
            return f"{self.r.randint(2, 9)}00 000 SEK"
        return f"{whole}{dec} miljoner SEK"

    # ------------------------------------------------------------ prose

    def sv_sentence(self, sw: str, fo: str) -> str:
        r = self.r
        templates = (
            "{sw} och {fo} vill {verb} {adjd} {comp} för {group}.",
            "Projektet ska {verb} kommunernas {w2} arbete med {comp} och {comp2}.",
            "Fokus ligger på {comp} och {w} och på att {verb} dialogen med {group}.",
            "Under {n} år har parterna arbetat med {comp}, {comp2} och {comp3}.",
            "Målet är en mer {adj} {comp} där {group} får större inflytande över {w}.",
            "{fo} har bjudit in {group} till {n} workshoppar om {comp} och {w2}.",
            "Erfarenheterna från {sw} om {comp} ska anpassas till förhållandena i {fo}.",
            "Båda kommunerna ser behov av att {verb} sin {comp} och {w2} inför {year}.",
            "Arbetet med {w} följs upp av en styrgrupp med {n} förtroendevalda från varje kommun.",
            "Enligt {person} har samarbetet redan gett resultat inom {comp} och {w}.",
            "Det {adjd} arbetet med {comp} har pågått sedan {year} och omfattar {n2} aktiviteter.",
        )
        return r.choice(templates).format(
            sw=sw, fo=fo, verb=self.pick(SV_VERB), adj=self.pick(SV_ADJ), adjd=self.adj_def(), comp=self.compound(),
            comp2=self.compound(), comp3=self.compound(), group=self.pick(SV_GROUP), n=r.randint(2, 9),
            n2=r.randint(5, 40), year=r.randint(2010, 2026), person=self.person(), w=self.open_word("sv"), w2=self.open_word("sv"))

    def en_sentence(self, sw: str, fo: str) -> str:
        r = self.r
        templates = (
            "{sw} and {fo} will {verb} {adj} {noun} for {group}.",
            "The project aims to {verb} the municipalities' capacity in {noun} and {noun2}.",
            "The main target groups are {group} and {group2} in {w} areas.",
            "Over {n} years the partners have worked on {noun}, {noun2} and {noun3}.",
            "A {adj} approach to {noun} and {w2} is tested in {n2} pilot areas in {fo}.",
            "Study visits to {sw} let staff from {fo} compare methods for {noun}.",
            "The activities include {w} workshops, case studies and {n} study visits on {noun}.",
            "By {year} the partners expect {adj} {w2} structures for {noun} to be in place.",
            "The project also has a strong connection to goal {sdg} of the sustainable development goals.",
            "{group_cap} are involved through surveys, dialogues and {n2} public meetings.",
        )
        g = self.pick(EN_GROUP)
        return r.choice(templates).format(
            sw=sw, fo=fo, verb=self.pick(EN_VERB), adj=self.pick(EN_ADJ), noun=self.en_noun(),
            noun2=self.en_noun(), noun3=self.en_noun(), group=g, group2=self.pick(EN_GROUP),
            group_cap=g[0].upper() + g[1:], n=r.randint(2, 9), n2=r.randint(3, 60),
            year=r.randint(2020, 2030), sdg=r.randint(1, 17), w=self.open_word("en"), w2=self.open_word("en"))

    def paragraph(self, lang: str, sw: str, fo: str, lo: int = 3, hi: int = 7) -> str:
        make = self.sv_sentence if lang == "sv" else self.en_sentence
        return " ".join(make(sw, fo) for _ in range(self.r.randint(lo, hi)))

    def title(self, lang: str, place: str | None = None) -> str:
        """A project title; real titles are nearly unique, so these combine several slots and often a place."""
        r = self.r
        where = place if place and r.random() < 0.7 else None
        if lang == "en":
            forms = ("{Adj} {noun} and {noun2} for {group}", "Partnership for {adj} {noun} and {noun2}",
                     "Improving {noun} through {adj} {noun2}", "{Adj} {noun}: {noun2} with {group}",
                     "Towards {adj} {noun} for {group} by {year}")
            adj = self.pick(EN_ADJ)
            t = r.choice(forms).format(Adj=adj.capitalize(), adj=adj, noun=self.en_noun(),
                                       noun2=self.en_noun(), group=self.pick(EN_GROUP),
                                       year=r.randint(2024, 2032))
            return f"{t} in {where}" if where else t
        forms = ("{Adj} {comp} och {comp2} för {group}", "{Comp} i samverkan med {group}",
                 "Stärkt {comp} och {adjd} {comp2}", "{Comp} och {comp2} för {group}",
                 "Ny modell för {comp} och {comp2}")
        adj = self.pick(SV_ADJ)
        comp = self.compound()
        t = r.choice(forms).format(Adj=adj.capitalize(), comp=comp, Comp=comp.capitalize(), adjd=self.adj_def(),
                                   comp2=self.compound(), group=self.pick(SV_GROUP))
        return f"{t} i {where}" if where else t

    def footer(self, swedish: list[Muni], foreign: list[str], with_area: bool = True,
               with_tags: bool = False) -> str:
        r, t = self.r, self.t
        lines = []
        if with_area:
            lines += ["Projektområde", "".join(r.sample(t.areas_en, r.randint(1, 2)))]
        goals = sorted(r.sample(t.sdgs, r.randint(1, 3)))
        lines += ["Globala mål", "".join(f"{n} - {sv}" for n, _, sv in goals)]
        if r.random() < 0.8:
            lines += ["Tema", "".join(r.sample(t.themes, r.randint(1, 2)))]
        lines += ["Svensk partner", "".join(sorted(m.official for m in swedish))]
        lines += ["Internationell partner", "".join(sorted(foreign))]
        if with_tags or r.random() < 0.3:
            tags = r.sample(("demokrati", "kommunala partnerskap", "beviljade projekt", "hållbarhet",
                             self.compound(), "ICLD"), r.randint(1, 3))
            lines += ["Etiketter", ", ".join(tags) + ","]
        return "\n".join(lines)


# ---------------------------------------------------------------- layouts

def listing_page(g: Gen) -> str:
    r = g.r
    parts = []
    if r.random() < 0.7:
        parts.append(f"Svensk partner: {g.pick(g.t.munis).official}")
    for _ in range(r.randint(2, 8)):
        swedish = [g.pick(g.t.munis) for _ in range(1 if r.random() < 0.75 else 2)]
        country = g.pick(g.t.countries)
        short = g.foreign_short()
        full = g.foreign_full(short)
        names = ", ".join(m.short for m in swedish[:-1])
        head = f"{names}, {swedish[-1].short}" if names else swedish[-1].short
        parts.append(f"{head} and {short}, {country.en}")
        lang = "en" if r.random() < 0.6 else "sv"
        if r.random() < 0.8:
            parts.append(f"{'Project' if lang == 'en' else 'Projekt'}: {g.title(lang, short)}")
        y1, y2 = g.years()
        lead = (f"The proposal stretches over {y2 - y1 + 1} years ({y1}-{y2}) and consists of "
                f"{r.randint(4, 30)} activities in total." if lang == "en" else
                f"Projektet pågår {y1}–{y2} och omfattar {r.randint(4, 30)} aktiviteter.")
        parts.append(lead + " " + g.paragraph(lang, swedish[0].short, short, 2, 5))
        for _ in range(r.randint(0, 3)):
            parts.append(g.paragraph(lang, swedish[0].short, short))
        parts.append(g.footer(swedish, [full]))
    return "\n\n".join(parts) + "\n"


def news_page(g: Gen) -> str:
    r, t = g.r, g.t
    country = g.pick([c for c in t.countries if c.demonym_sv] or t.countries)
    parts = [f"{g.title('sv', country.sv)} – svenska och {country.demonym_sv or 'utländska'} kommuner i partnerskap"]
    parts.append(g.paragraph("sv", "ICLD", country.sv, 2, 4))
    parts.append(f"– Det finns en stark vilja bland svenska kommuner och regioner att bidra, säger {g.person()}, "
                 f"generalsekreterare ICLD.")
    parts.append("Följande partnerskapsamarbeten mellan en svensk och en "
                 f"{country.demonym_sv or 'utländsk'} kommun är nu beviljade medel av ICLD:")
    swedish_all: list[Muni] = []
    foreign_all: list[str] = []
    for _ in range(r.randint(2, 6)):
        m = g.pick(t.munis)
        fo = g.foreign_short()
        swedish_all.append(m)
        foreign_all.append(fo)
        parts.append(f"{m.short} och {fo}")
        parts.append(f"Samarbetsområde: {g.pick(t.areas_sv)}\n{m.short} och {fo} " +
                     g.paragraph("sv", m.short, fo, 2, 4)[0].lower() + g.paragraph("sv", m.short, fo, 1, 3)[1:])
    parts.append(g.paragraph("sv", swedish_all[0].short, foreign_all[0], 1, 3))
    parts.append(g.footer(swedish_all, foreign_all, with_area=False, with_tags=True))
    # a second article: granted-funds bullets
    parts.append(f"{g.compound().capitalize()}miljoner till kommuner och regioner")
    bullets, sw2, fo2 = [], [], []
    for _ in range(r.randint(2, 5)):
        m, c = g.pick(t.munis), g.pick(t.countries)
        fo = g.foreign_short()
        sw2.append(m)
        fo2.append(fo)
        years = g.pick(("ettårigt", "tvåårigt", "treårigt"))
        bullets.append(f"  • {m.official} ska tillsammans med kommunen {fo} i {c.sv} samarbeta i ett projekt där "
                       f"{g.pick(SV_GROUP)} ska involveras i {g.compound()}. {m.official} beviljas "
                       f"{g.amount_sv()} för ett {years} projekt. Läs mer")
    parts.append("Följande kommuner har fått sina partnerskapsprojekt beviljade:")
    parts.append("\n".join(bullets))
    parts.append(g.paragraph("sv", sw2[0].short, fo2[0], 1, 3))
    parts.append(g.footer(sw2, [g.foreign_full(f) for f in fo2], with_area=False, with_tags=True))
    return "\n\n".join(parts) + "\n"


def municipal_page(g: Gen) -> str:
    r, t = g.r, g.t
    m = g.pick(t.munis)
    countries = r.sample(t.countries, r.randint(1, 3))
    parts = []
    if r.random() < 0.4:
        parts.append(f"{g.pick(('Eldningsförbud', 'Driftstörning', 'Vattenläcka'))} i {m.short}\n\n"
                     f"{g.paragraph('sv', m.short, m.short, 1, 2)}\n\nStäng meddelande")
    if r.random() < 0.5:
        parts.append(f"Vi använder kakor för att {g.pick(SV_VERB)} webbplatsen.\n\nGodkänn alla kakor")
    parts.append("Meny\nSök\nLyssna")
    parts.append(f"Start > Kommun och politik > Internationellt samarbete > {g.compound().capitalize()}")
    parts.append("Kommunala partnerskap med " + ", ".join(c.sv for c in countries))
    parts.append(f"{m.official} har en positiv inställning till internationellt samarbete. " +
                 g.paragraph("sv", m.short, countries[0].sv, 2, 4))
    bullets = []
    for c in countries:
        fo = g.foreign_short()
        full = g.foreign_full(fo)
        since = r.randint(1995, 2020)
        parts.append(f"{full}, {c.sv} ({since} - )")
        parts.append(f"{m.official} har sedan {since} ett samarbete med {full} i {c.sv}. " +
                     g.paragraph("sv", m.short, fo, 2, 5))
        for _ in range(r.randint(1, 2)):
            y1, y2 = g.years()
            bullets.append(f"  • {g.title(r.choice(('sv', 'en')), fo)}, {g.pick(MONTHS_SV)} {y1}-"
                           f"{g.pick(MONTHS_SV)} {y2} ({m.short}/{fo})")
    parts.append("Pågående projekt och förstudier")
    parts.append("\n".join(bullets))
    parts.append(f"Kontaktperson: {g.person()}, {m.official}\n"
                 f"E-post: {g.pick(SV_FIRST).lower()}.{g.pick(SV_LAST).lower()}@kommun.se\n"
                 f"Telefon: 0{r.randint(10, 99)}-{r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)}")
    parts.append("Relaterade länkar")
    parts.append(f"Senast uppdaterad: {r.randint(1, 28)} {g.pick(MONTHS_SV)} {r.randint(2015, 2025)}")
    parts.append("Skriv ut\nDela")
    return "\n\n".join(parts) + "\n"


def english_page(g: Gen) -> str:
    r, t = g.r, g.t
    m, c = g.pick(t.munis), g.pick(t.countries)
    fo = g.foreign_short()
    full = g.foreign_full(fo)
    y1, y2 = g.years()
    parts = ["Share\nPrint", f"Municipal partnership between {m.short} and {full}"]
    parts.append(f"{m.short} Municipality and {full} in {c.en} have worked together since {y1 - r.randint(1, 8)}. " +
                 g.paragraph("en", m.short, fo, 2, 4))
    title = g.title("en", fo)
    parts.append(f"The project \u201c{title}\u201d runs from {y1} to {y2} with a budget of SEK "
                 f"{r.randint(1, 4)}.{r.randint(0, 9)} million. " + g.paragraph("en", m.short, fo, 1, 3))
    parts.append(f"Area of cooperation: {g.pick(t.areas_en)}")
    for _ in range(r.randint(1, 4)):
        parts.append(g.paragraph("en", m.short, fo))
    parts.append(f"Last updated: {r.randint(2016, 2025)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}")
    return "\n\n".join(parts) + "\n"


BUILDERS = {"listing": listing_page, "news": news_page, "municipal": municipal_page, "english": english_page}


def page(seed: int, index: int) -> tuple[str, bytes]:
    """File name and bytes of page `index` of the corpus `seed`."""
    g = Gen(seed, index)
    layout = g.r.choices(LAYOUTS, LAYOUT_WEIGHTS)[0]
    text = BUILDERS[layout](g)
    name = f"{index:06d}_{layout}_{g.r.getrandbits(48):012x}.txt"
    roll = g.r.random()
    if roll < 0.03:
        text = text.replace("\n", "\r\n")
    if roll > 0.98:
        try:
            return name, text.encode("cp1252")
        except UnicodeEncodeError:
            pass
    data = text.encode("utf-8")
    return name, (b"\xef\xbb\xbf" + data if 0.96 < roll <= 0.98 else data)


def generate(out_dir: Path | str, *, mb: float | None = None, pages: int | None = None, seed: int = 0,
             per_folder: int = 1000) -> tuple[int, int]:
    """Write pages into out_dir (sub-folders of per_folder pages) until `pages` pages or `mb` MB.

    Returns (pages written, bytes written).
    """
    if mb is None and pages is None:
        raise ValueError("give mb or pages")
    out = Path(out_dir)
    limit = int(mb * 1_000_000) if mb is not None else None
    n = total = 0
    while (pages is None or n < pages) and (limit is None or total < limit):
        name, data = page(seed, n)
        folder = out / f"part{n // per_folder:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        n += 1
        total += len(data)
    return n, total


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Write a deterministic synthetic corpus of page dumps.")
    ap.add_argument("out", type=Path, help="folder to write the pages to")
    ap.add_argument("--mb", type=float, default=None, help="stop after this many MB")
    ap.add_argument("--pages", type=int, default=None, help="stop after this many pages")
    ap.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    args = ap.parse_args(argv)
    n, size = generate(args.out, mb=args.mb, pages=args.pages if args.pages or args.mb else 100, seed=args.seed)
    print(f"{n} pages, {size / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":  # pragma: no cover
    main()

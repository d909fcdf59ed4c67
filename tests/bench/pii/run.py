"""`make bench-pii`: how much the de-identification check finds, how quiet it is, how fast.

Reads the sentences written by tests/bench/pii/generate.py (presidio-evaluator's generator,
`PresidioSentenceFaker("en_US", lower_case_ratio=0.05, random_seed=42)`, 2,000 sentences) and
prints, per labelled entity type, the share of labelled spans that a finding of a matching
kind overlaps (recall), the findings that overlap no labelled span at all, and findings per
1,000 words on a prose set: Heard's guides, the text of its pages, and therapy-voice prose
written for this benchmark (tests/bench/pii/prose/). Then the time for a 10,000-character story
and the memory the word lists add.
"""

from __future__ import annotations

import json
import re
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# Presidio's label -> the Heard kinds that count as finding it.
MAPPING = {
    "PERSON": {"name", "titled_name", "therapist_name"},
    "PHONE_NUMBER": {"phone"},
    "EMAIL_ADDRESS": {"email"},
    "DATE_TIME": {"date"},
    "STREET_ADDRESS": {"address", "postcode"},
    "GPE": {"place"},
    "ORGANIZATION": {"organisation", "clinic"},
    "AGE": {"age"},
}
TARGETS = {
    "PERSON": 85,
    "GPE": 80,
    "ORGANIZATION": 75,
    "STREET_ADDRESS": 80,
    "PHONE_NUMBER": 95,
    "DATE_TIME": 90,
    "AGE": 80,
    "EMAIL_ADDRESS": None,
}


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def recall_table(sentences: list[dict], findings: list[list[tuple[str, int, int]]]) -> dict:
    """Per entity type: labelled spans, how many a matching finding overlaps, and any-kind hits."""
    total: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    hit_any: Counter[str] = Counter()
    stray = 0
    for sentence, found in zip(sentences, findings, strict=True):
        spans = [(label, s, e) for label, s, e in sentence["spans"]]
        for label, s, e in spans:
            if label not in MAPPING:
                continue
            total[label] += 1
            over = [f for f in found if _overlaps((f[1], f[2]), (s, e))]
            if any(f[0] in MAPPING[label] for f in over):
                hit[label] += 1
            if over:
                hit_any[label] += 1
        for f in found:
            if not any(_overlaps((f[1], f[2]), (s, e)) for _, s, e in spans):
                stray += 1
    return {"total": total, "hit": hit, "hit_any": hit_any, "stray": stray}


def _heard(text: str, include_low: bool = False) -> list[tuple[str, int, int]]:
    from forum.safety.pii import find_identifiers

    found = find_identifiers(text, include_low=include_low)
    return [(f.kind.value, f.start, f.end) for f in found]


def _rss() -> int:
    """This process's resident memory in bytes (Linux), or 0 where /proc is not there."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    import os

    return pages * os.sysconf("SC_PAGE_SIZE")


def _strip_markup(text: str) -> str:
    text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"&[a-z]+;|&#\d+;", " ", text)


def prose_set() -> list[tuple[str, str]]:
    """(name, text) of every prose document: guides, page texts, and the written prose."""
    docs = []
    for path in sorted((ROOT / "forum" / "data" / "guides").glob("*.md")):
        docs.append((f"guide {path.name}", path.read_text(encoding="utf-8")))
    for path in sorted((ROOT / "templates" / "pages").glob("*.html")):
        docs.append((f"page {path.name}", _strip_markup(path.read_text(encoding="utf-8"))))
    for path in sorted((Path(__file__).parent / "prose").glob("*.txt")):
        docs.append((f"prose {path.name}", path.read_text(encoding="utf-8")))
    return docs


def _story(chars: int = 10_000) -> str:
    docs = [text for _, text in prose_set()]
    out = ""
    while len(out) < chars:
        out += "\n\n".join(docs)
    return out[:chars]


_PROBE = (
    "from tests.bench.pii.run import _rss\n"
    "from forum.safety.pii import find_identifiers\n"
    "from forum.safety.pii._words import lexicon\n"
    "before = _rss()\n"
    "lexicon()\n"
    "find_identifiers('Sarah in Leeds on 07700 900123 in 1991', include_low=True)\n"
    "print(_rss() - before)\n"
)


def _resident_added() -> int:
    """Resident memory a fresh worker gains loading the word lists and running one check."""
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip())


def main() -> None:
    """Print the benchmark."""
    data = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    sentences = data["sentences"]

    # Import the app's modules first, so that only the word lists (and phone metadata) count.
    from forum.safety.pii._words import lexicon

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]

    lexicon()
    _heard("warm up: Sarah in Leeds on 07700 900123")
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()

    # "Heard" counts only what the check raises; "+ low" adds the coarse dates it ranks low
    # (a year, a month and year, a weekday), which the teller sees apart and which never
    # bring the check page on their own.
    heard = [_heard(s["text"]) for s in sentences]
    tables = {"Heard": recall_table(sentences, heard)}
    tables["Heard + low"] = recall_table(sentences, [_heard(s["text"], True) for s in sentences])
    if data.get("presidio") is not None:
        presidio_mapped = [
            [(_presidio_kind(label), s, e) for label, s, e in found] for found in data["presidio"]
        ]
        tables["Presidio"] = recall_table(sentences, presidio_mapped)
    print(f"Sentences: {len(sentences)} from PresidioSentenceFaker('en_US', 0.05, seed 42)")
    print(data.get("presidio_note", ""))
    header = f"{'entity':<16}{'spans':>7}" + "".join(f"{name:>12}" for name in tables)
    print(header + f"{'any kind':>10}{'target':>8}")
    all_total = 0
    for label in MAPPING:
        total = tables["Heard"]["total"][label]
        all_total += total
        row = f"{label:<16}{total:>7}"
        for table in tables.values():
            row += f"{_pct(table['hit'][label], total):>12}"
        row += f"{_pct(tables['Heard']['hit_any'][label], total):>10}"
        target = TARGETS[label]
        print(row + (f"{'≥' + str(target) + '%':>8}" if target else f"{'':>8}"))
    row = f"{'all of these':<16}{all_total:>7}"
    for table in tables.values():
        row += f"{_pct(sum(table['hit'].values()), all_total):>12}"
    print(row + f"{'':>10}{'≥85%':>8}")
    for name, table in tables.items():
        print(f"{name}: findings that overlap no labelled span: {table['stray']}")

    words = findings = low = 0
    per_doc = []
    for name, text in prose_set():
        n_words = len(text.split())
        raised = _heard(text)
        with_low = _heard(text, include_low=True)
        words += n_words
        findings += len(raised)
        low += len(with_low) - len(raised)
        shown = [
            text[s:e] + f" ({k}{'' if (k, s, e) in raised else ', low'})" for k, s, e in with_low
        ]
        per_doc.append((name, n_words, shown))
    print(
        f"Prose set: {len(per_doc)} documents, {words} words, {findings} findings raised, "
        f"{1000 * findings / max(words, 1):.2f} per 1,000 words (target ≤ 3)"
    )
    print(
        f"  + {low} ranked low: {findings + low} in all, "
        f"{1000 * (findings + low) / max(words, 1):.2f} per 1,000 words"
    )
    theirs = data.get("presidio_prose")
    if theirs:
        print(
            f"Presidio on the same prose set: {theirs['findings']} findings, "
            f"{1000 * theirs['findings'] / max(theirs['words'], 1):.2f} per 1,000 words"
        )
    for name, n_words, found in per_doc:
        if found:
            print(f"  {name} ({n_words} words): {', '.join(found)}")

    story = _story()
    for label, include_low in (("raised only", False), ("with low-ranked", True)):
        runs = []
        for _ in range(7):
            t0 = time.perf_counter()
            _heard(story, include_low)
            runs.append(time.perf_counter() - t0)
        runs.sort()
        print(
            f"10,000-character story ({label}): median {1000 * runs[3]:.1f} ms, "
            f"best {1000 * runs[0]:.1f} ms (target ≤ 30 ms)"
        )
    print(
        f"Memory the word lists add: {(after - before) / 2**20:.1f} MiB by tracemalloc, "
        f"{_resident_added() / 2**20:.1f} MiB resident in a fresh process (target ≤ 30)"
    )

    worst = "a%" * 7000 + "@" + "a." * 7400
    t0 = time.perf_counter()
    _heard(worst)
    print(
        "Adversarial 29,401-character email-shaped input: "
        f"{1000 * (time.perf_counter() - t0):.0f} ms"
    )


def _presidio_kind(label: str) -> str:
    reverse = {
        "PERSON": "name",
        "PHONE_NUMBER": "phone",
        "EMAIL_ADDRESS": "email",
        "DATE_TIME": "date",
        "LOCATION": "place",
        "GPE": "place",
        "ORGANIZATION": "organisation",
        "NRP": "nrp",
        "US_SSN": "national_id",
        "UK_NHS": "national_id",
    }
    return reverse.get(label, label.lower())


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "-"


if __name__ == "__main__":
    main()

"""Crisis-language benchmark: precision and recall per class on the labelled sentences, and speed.

Reads tests/safety/crisis_cases.tsv (the development set the lexicon was tuned on) and
tests/safety/crisis_cases_heldout.tsv (written before tuning, never tuned on), and prints for
each set and both together: precision and recall for current, past, negated and third-person
mentions, the false-alarm rate on ordinary therapy prose, and how long a 10,000-character story
and a 30,000-character adversarial text take to scan.

    make bench-crisis
    .venv/bin/python -m tests.bench.crisis --misses   # also list every sentence it gets wrong
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from forum.safety.crisis import has_crisis_language, mentions_crisis, most_urgent

HERE = Path(__file__).resolve().parents[1] / "safety"
SETS = {"development": HERE / "crisis_cases.tsv", "held-out": HERE / "crisis_cases_heldout.tsv"}
CLASSES = ("current", "past", "negated", "third_person")
ORDINARY = "ordinary"


@dataclass(frozen=True)
class Case:
    """One labelled sentence."""

    label: str
    text: str


def load(path: Path) -> list[Case]:
    """The labelled sentences in a TSV file (label, tab, sentence; # starts a comment)."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, text = line.split("\t", 1)
        cases.append(Case(label, text))
    return cases


def predict(text: str) -> str:
    """The class the detector gives a sentence: its most urgent match's kind, or ordinary."""
    kind = most_urgent(mentions_crisis(text))
    return ORDINARY if kind is None else kind.value


@dataclass(frozen=True)
class Scores:
    """Per-class precision and recall, and the false-alarm rate on ordinary prose."""

    precision: dict[str, float]
    recall: dict[str, float]
    support: dict[str, int]
    false_alarm_rate: float
    detected: dict[str, float]  # share of each class with any match at all (help is shown)
    misses: list[tuple[Case, str]]


def score(cases: list[Case]) -> Scores:
    """Score the detector on cases."""
    predicted = [(case, predict(case.text)) for case in cases]
    precision, recall, support, detected = {}, {}, {}, {}
    for cls in CLASSES:
        gold = [p for c, p in predicted if c.label == cls]
        chosen = [c for c, p in predicted if p == cls]
        hits = sum(1 for p in gold if p == cls)
        support[cls] = len(gold)
        recall[cls] = hits / len(gold) if gold else float("nan")
        precision[cls] = (
            sum(1 for c in chosen if c.label == cls) / len(chosen) if chosen else float("nan")
        )
        detected[cls] = sum(1 for p in gold if p != ORDINARY) / len(gold) if gold else float("nan")
    ordinary = [p for c, p in predicted if c.label == ORDINARY]
    support[ORDINARY] = len(ordinary)
    alarms = sum(1 for p in ordinary if p != ORDINARY)
    rate = alarms / len(ordinary) if ordinary else float("nan")
    misses = [(c, p) for c, p in predicted if c.label != p]
    return Scores(precision, recall, support, rate, detected, misses)


def story(length: int) -> str:
    """A plausible story of about length characters with a few crisis phrases in it."""
    paragraph = (
        "I started seeing her in 2019 after my dad died. At first the sessions helped, but "
        "she began cancelling at short notice and blamed me for being late. I was killing "
        "time in the waiting room most weeks. When I said I felt hopeless she changed the "
        "subject. I used to self-harm as a teenager and she wrote that down as if it were "
        "now. I'm not suicidal, I'm angry, and some nights I can't go on like this. "
    )
    return (paragraph * (length // len(paragraph) + 1))[:length]


def adversarial(length: int) -> list[str]:
    """Texts of exactly length characters built to make a backtracking matcher slow."""
    units = [
        "kill ",
        "i don't want to ",
        "suicid",
        "self-",
        "no reason ",
        "i ",
        "can't ",
        "better off ",
        "wish i ",
        "want to die. ",
        "not not never ",
        "a" * 50 + " ",
    ]
    texts = [(unit * (length // len(unit) + 1))[:length] for unit in units]
    texts.append(" " * (length - 1) + "x")
    texts.append("suicid" + "a" * (length - 6))
    texts.append(("\n" * (length // 2) + "I want to die. " * length)[:length])
    return texts


def seconds(text: str, repeat: int) -> float:
    """Best of repeat timings of one scan of text."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        mentions_crisis(text)
        best = min(best, time.perf_counter() - start)
    return best


def report(name: str, scores: Scores) -> None:
    """Print one set's figures."""
    total = sum(scores.support.values())
    print(f"\n{name} ({total} sentences)")
    print(f"  {'class':<14}{'n':>5}{'precision':>11}{'recall':>9}{'any help':>10}")
    for cls in CLASSES:
        print(
            f"  {cls:<14}{scores.support[cls]:>5}{scores.precision[cls]:>11.1%}"
            f"{scores.recall[cls]:>9.1%}{scores.detected[cls]:>10.1%}"
        )
    print(
        f"  {ORDINARY:<14}{scores.support[ORDINARY]:>5}  false alarms: "
        f"{scores.false_alarm_rate:.1%} (target <= 5%)"
    )
    print(f"  current-risk recall: {scores.recall['current']:.1%} (target >= 95%)")


def main(argv: list[str]) -> int:
    """Print the figures; list misses with --misses."""
    sets = {name: load(path) for name, path in SETS.items()}
    sets["both"] = [case for cases in list(sets.values()) for case in cases]
    for name, cases in sets.items():
        scores = score(cases)
        report(name, scores)
        if "--misses" in argv and name != "both":
            for case, predicted in scores.misses:
                print(f"    MISS {case.label:>12} -> {predicted:<12} {case.text}")
    text = story(10_000)
    assert has_crisis_language(text)
    print(f"\nscan a 10,000-character story: {seconds(text, 20) * 1000:.2f} ms (best of 20)")
    plain = " ".join(c.text for c in sets["both"] if c.label == ORDINARY)
    plain = (plain * (10_000 // len(plain) + 1))[:10_000]
    print(
        f"scan a 10,000-character story of ordinary prose only: "
        f"{seconds(plain, 20) * 1000:.2f} ms (best of 20)"
    )
    worst = max(seconds(t, 3) for t in adversarial(30_000))
    print(f"scan the slowest 30,000-character adversarial text: {worst * 1000:.1f} ms (best of 3)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The small-number rule: which counts Heard publishes, and how they are rounded.

Every figure on /insights, in its CSV files and in the API is a count of published stories
(or a share worked out from such counts). The rule, applied to true counts before anything
is shown:

1. Threshold. A count from 1 to `threshold - 1` (FORUM_INSIGHTS_THRESHOLD, default 10) is
   never shown; zero is shown, since it says nothing about anyone. If all published stories
   together number fewer than the threshold, nothing at all is shown.
2. Complementary suppression. Where a table's rows add up to a published total (setting,
   format, problem kind, thread type, month or quarter, and each harm tag's impact ratings,
   which add up to that tag's count), one hidden row could be worked out by subtraction. So
   more rows are hidden, smallest first, until at least two are hidden and the hidden rows
   together hold at least `threshold` stories: the most anyone can learn by subtraction is
   that a group of at least `threshold` stories is split somehow among the hidden rows. If no
   row is left to hide, the whole table is hidden.
3. Dominance, for impact ratings only (the one figure not shown on story pages). A rating
   held by all but fewer than `threshold` of a tag's stories is hidden as well (and rule 2
   then applies), so nobody can learn that everyone with that tag gave the same rating; and
   once any rating of a row is hidden, its zeros are hidden too, so the row does not narrow
   down to two ratings what each teller chose.
4. Rounding. Every count shown, totals included, is rounded to the nearest multiple of
   FORUM_INSIGHTS_ROUND_TO (default 5), and shares are worked out from the rounded figures.
   So when one story is added, erased or withdrawn, a figure stays the same or moves by a
   whole step, never by exactly one story: comparing the page on two days does not show what
   a single story carried.

Harm and practice tags overlap (a story can carry several), so their rows do not add up to a
total and only the threshold applies to them; a harm group is counted as the stories carrying
any of its tags, a set as public as the tags on each story page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """The threshold under which a count is hidden, and the step shown counts round to."""

    threshold: int = 10
    round_to: int = 5

    def rounded(self, count: int) -> int:
        """A count rounded to the nearest step (halves round up)."""
        step = max(self.round_to, 1)
        return (count + step // 2) // step * step

    def is_small(self, count: int) -> bool:
        """Under the threshold but not zero: a count that must not be shown."""
        return 0 < count < self.threshold


def publish_overlapping(counts: Sequence[int], total: int, rule: Rule) -> list[int | None]:
    """Rows that overlap (tags): each hidden when small; all hidden when the total is small."""
    if total < rule.threshold:
        return [None for _ in counts]
    return [None if rule.is_small(c) else rule.rounded(c) for c in counts]


def hidden_rows(counts: Sequence[int], total: int, rule: Rule, dominance: bool = False) -> set[int]:
    """Which rows of a table whose rows add up to `total` must be hidden (rules 1 to 3)."""
    if total < rule.threshold:
        return set(range(len(counts)))
    hidden = {i for i, c in enumerate(counts) if rule.is_small(c)}
    if dominance:
        hidden |= {i for i, c in enumerate(counts) if c and total - c < rule.threshold}
    while hidden and (len(hidden) < 2 or sum(counts[i] for i in hidden) < rule.threshold):
        shown = [i for i, c in enumerate(counts) if i not in hidden and c > 0]
        if not shown:  # cannot happen while total >= threshold; hide everything to be safe
            return set(range(len(counts)))
        hidden.add(min(shown, key=lambda i: (counts[i], i)))
    return hidden


def publish_partition(
    counts: Sequence[int], total: int, rule: Rule, dominance: bool = False
) -> list[int | None]:
    """Rows that add up to `total`: rounded, or None where the rule hides them."""
    hidden = hidden_rows(counts, total, rule, dominance)
    if dominance and hidden:
        hidden |= {i for i, c in enumerate(counts) if c == 0}
    return [None if i in hidden else rule.rounded(c) for i, c in enumerate(counts)]


def publish_total(total: int, rule: Rule) -> int | None:
    """The total of a table, rounded; hidden when it is under the threshold."""
    return None if total < rule.threshold else rule.rounded(total)


def share(count: int | None, base: int | None) -> int | None:
    """A whole percentage worked out from published (rounded) figures only."""
    if count is None or not base:
        return None
    return round(100 * count / base)

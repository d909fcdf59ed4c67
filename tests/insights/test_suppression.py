"""The small-number rule on its own: properties over many random tables (no database)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from forum.insights.suppression import (
    Rule,
    hidden_rows,
    publish_overlapping,
    publish_partition,
    publish_total,
)

RULE = Rule(threshold=10, round_to=5)
tables = st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=8)


def attacker_range(published: list[int | None], total_shown: int, rule: Rule, cell: int):
    """The values a hidden cell could take, to someone who knows only the published figures.

    Shown counts and the total are each known to within half a step; hidden cells are known
    to hold at least one story (zeros are shown). The cell's highest possible value is what
    the largest possible total leaves after the smallest possible shown counts and one story
    in each other hidden cell.
    """
    half = rule.round_to // 2
    hidden = [i for i, v in enumerate(published) if v is None]
    low_shown = sum(max(v - half, 0) for v in published if v is not None)
    high_sum = total_shown + half - low_shown
    low_sum = max(total_shown - half - sum(v + half for v in published if v is not None), 0)
    others = len(hidden) - 1
    lowest = max(1, low_sum - others * high_sum)
    return lowest, high_sum - others


@given(tables)
def test_no_small_count_is_ever_shown(counts):
    """Every count shown is zero or at least the threshold, before rounding."""
    published = publish_partition(counts, sum(counts), RULE)
    for true, shown in zip(counts, published, strict=True):
        assert shown is None or true == 0 or true >= RULE.threshold


@given(tables)
def test_hidden_rows_never_stand_alone_or_add_up_to_a_small_number(counts):
    """Either nothing is hidden, or at least two rows are and they hold at least the
    threshold together: subtraction from the total gives no small group."""
    total = sum(counts)
    hidden = hidden_rows(counts, total, RULE)
    if total < RULE.threshold:
        assert hidden == set(range(len(counts)))
    elif hidden:
        assert len(hidden) >= 2
        assert sum(counts[i] for i in hidden) >= RULE.threshold


@given(tables)
def test_no_hidden_cell_can_be_pinned_to_one_value(counts):
    """From the published cells and total, every hidden cell still has several possible
    values, and a small one cannot be told from one at the threshold."""
    total = sum(counts)
    published = publish_partition(counts, total, RULE)
    shown_total = publish_total(total, RULE)
    if shown_total is None:
        assert all(v is None for v in published)
        return
    for i, value in enumerate(published):
        if value is None:
            lowest, highest = attacker_range(published, shown_total, RULE, i)
            assert lowest < highest
            assert lowest <= counts[i] <= highest
            if counts[i] < RULE.threshold:
                assert highest >= RULE.threshold - 1


@given(tables, st.data())
@settings(max_examples=300)
def test_one_more_story_never_moves_a_figure_by_one(counts, data):
    """Add one story to any row: each figure stays, appears, disappears or moves by a whole
    rounding step, never by exactly the one story added."""
    row = data.draw(st.integers(min_value=0, max_value=len(counts) - 1))
    after = list(counts)
    after[row] += 1
    for publish in (publish_partition, publish_overlapping):
        before_shown = publish(counts, sum(counts), RULE)
        after_shown = publish(after, sum(after), RULE)
        for old, new in zip(before_shown, after_shown, strict=True):
            if old is not None and new is not None:
                assert abs(new - old) % RULE.round_to == 0
                assert abs(new - old) != 1
    old_total, new_total = publish_total(sum(counts), RULE), publish_total(sum(after), RULE)
    if old_total is not None and new_total is not None:
        assert (new_total - old_total) % RULE.round_to == 0


def test_a_dominant_impact_rating_is_hidden_with_its_row():
    """Twelve stories of a tag all rated 4: showing "12 rated 4, none otherwise" would tell
    each teller's rating, so the whole row is hidden."""
    assert publish_partition([0, 0, 0, 0, 12, 0], 12, RULE, dominance=True) == [None] * 6
    # Without the dominance rule (public facets such as setting) the count is shown.
    assert publish_partition([0, 0, 0, 0, 12, 0], 12, RULE) == [0, 0, 0, 0, 10, 0]


def test_a_hidden_rating_hides_the_zeros_of_its_row():
    """Thirty 2s and one 4: without its zeros hidden, the row would say "2 or 4" of each."""
    assert publish_partition([0, 0, 30, 0, 1, 0], 31, RULE, dominance=True) == [None] * 6
    assert publish_partition([0, 20, 0, 15, 0, 0], 35, RULE, dominance=True) == [0, 20, 0, 15, 0, 0]


def test_a_small_row_takes_the_next_smallest_with_it():
    """One small row would be the total minus the others: the smallest other row goes too."""
    assert publish_partition([40, 3, 25, 0], 68, RULE) == [40, None, None, 0]


def test_overlapping_rows_only_hide_their_own_small_counts():
    """Tags overlap, so nothing is derivable by subtraction: only small counts are hidden."""
    assert publish_overlapping([40, 3, 12], 50, RULE) == [40, None, 10]
    assert publish_overlapping([4, 3], 7, RULE) == [None, None]


def test_rounding_goes_to_the_nearest_step():
    """12 shows as 10, 13 as 15; a step of 1 shows true counts."""
    assert [RULE.rounded(n) for n in (10, 12, 13, 17, 18)] == [10, 10, 15, 15, 20]
    assert Rule(threshold=10, round_to=1).rounded(13) == 13

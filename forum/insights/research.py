"""Published research figures set beside Heard's own, each checked against its paper.

Only figures read in the paper itself (its abstract or results) are here, with the sample,
setting and measure they come from. A figure quoted elsewhere that could not be traced to a
paper is left out, and /insights says which (NOT_TRACED).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Study:
    """One paper: how to cite it, who took part, where, and what was measured."""

    key: str
    short: str
    citation: str
    link: str
    sample: str
    setting: str
    measure: str


@dataclass(frozen=True)
class ResearchFigure:
    """One published percentage, the study it comes from and what it counts."""

    study: Study
    percent: float
    what: str


ROZENTAL_2016 = Study(
    key="rozental-2016",
    short="Rozental et al. 2016",
    citation=(
        "Rozental A, Kottorp A, Boettcher J, Andersson G, Carlbring P (2016). Negative effects "
        "of psychological treatments: an exploratory factor analysis of the Negative Effects "
        "Questionnaire. PLoS ONE 11(6): e0157503."
    ),
    link="https://doi.org/10.1371/journal.pone.0157503",
    sample="653 people",
    setting=(
        "Sweden: people in a smartphone-delivered self-help treatment for social anxiety, and "
        "people recruited through the media who had recently had psychological treatment"
    ),
    measure=(
        "Negative Effects Questionnaire: whether each negative effect happened during treatment"
    ),
)
CRAWFORD_2016 = Study(
    key="crawford-2016",
    short="Crawford et al. 2016",
    citation=(
        "Crawford MJ, Thana L, Farquharson L, et al. (2016). Patient experience of negative "
        "effects of psychological treatment: results of a national survey. British Journal of "
        "Psychiatry 208(3): 260–265."
    ),
    link="https://doi.org/10.1192/bjp.bp.114.162628",
    sample="14,587 respondents",
    setting="England and Wales: people treated for common mental disorders by 184 services",
    measure="One survey question: whether they had lasting bad effects from the treatment",
)
GERKE_2020 = Study(
    key="gerke-2020",
    short="Gerke et al. 2020",
    citation=(
        "Gerke L, Meyrose A-K, Ladwig I, Rief W, Nestoriuc Y (2020). Frequencies and "
        "predictors of negative effects in routine inpatient and outpatient psychotherapy: two "
        "observational studies. Frontiers in Psychology 11: 2144."
    ),
    link="https://doi.org/10.3389/fpsyg.2020.02144",
    sample="197 outpatients and 118 inpatients",
    setting=(
        "Germany: one outpatient centre (asked about 3.8 years after therapy ended) and two "
        "inpatient clinics (asked 9 months after discharge)"
    ),
    measure=(
        "INEP inventory: at least one side effect; at least one case of malpractice or "
        "unethical behaviour"
    ),
)

STUDIES = (ROZENTAL_2016, CRAWFORD_2016, GERKE_2020)

# Beside which of Heard's rows each figure sits: harm-tag slugs and problem-kind slugs.
BESIDE_HARM_TAGS: dict[str, tuple[ResearchFigure, ...]] = {
    "memories-stirred": (
        ResearchFigure(ROZENTAL_2016, 38.4, "said unpleasant memories resurfaced"),
    ),
    "got-worse": (
        ResearchFigure(ROZENTAL_2016, 37.7, "said they felt under more stress"),
        ResearchFigure(ROZENTAL_2016, 37.2, "said they experienced more anxiety"),
        ResearchFigure(CRAWFORD_2016, 5.2, "reported lasting bad effects"),
    ),
}
BESIDE_PROBLEM_KINDS: dict[str, tuple[ResearchFigure, ...]] = {
    "side-effect": (
        ResearchFigure(GERKE_2020, 37.3, "of inpatients reported at least one side effect"),
        ResearchFigure(GERKE_2020, 15.2, "of outpatients reported at least one side effect"),
    ),
    "misconduct": (
        ResearchFigure(
            GERKE_2020, 28.8, "of inpatients reported malpractice or unethical behaviour"
        ),
        ResearchFigure(
            GERKE_2020, 7.1, "of outpatients reported malpractice or unethical behaviour"
        ),
    ),
}

# Quoted in articles Heard grew from, but not found in a paper when checked: left out.
NOT_TRACED = (
    "58% disturbing memories, 30% unpleasant feelings, 19% a lack of understanding of their "
    "treatment, 18% misunderstood, 17% violated by statements, 11% vitality",
    "13% physical wellbeing and 13% ability to work (only partly traced; not shown until the "
    "full paper is checked)",
    "5–8% worse after therapy",
    "57.6%: this is the share of variance the NEQ's six factors explain (Rozental et al. 2016), "
    "not a share of people",
)

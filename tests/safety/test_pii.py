"""The de-identification check: what it points out, and what it leaves alone."""

from __future__ import annotations

import itertools

import pytest

from forum.safety.pii import EXPLANATIONS, Finding, Kind, find_identifiers

POSITIVE = [
    # (kind, text, the exact span expected)
    (Kind.EMAIL, "Write to jane.doe@example.com if you like.", "jane.doe@example.com"),
    (Kind.EMAIL, "my address: j_smith+therapy@mail.co.uk.", "j_smith+therapy@mail.co.uk"),
    (Kind.EMAIL, "ME@EXAMPLE.ORG", "ME@EXAMPLE.ORG"),
    (Kind.EMAIL, "(sam.o'neil@uni.ac.uk)", "sam.o'neil@uni.ac.uk"),
    (Kind.PHONE, "Call me on 07700 900123 any time.", "07700 900123"),
    (Kind.PHONE, "The clinic was 020 7946 0018.", "020 7946 0018"),
    (Kind.PHONE, "Her office: +44 7700 900123", "+44 7700 900123"),
    (Kind.PHONE, "US line (555) 123-4567, ask for her.", "(555) 123-4567"),
    (Kind.PHONE, "Text 555.123.4567 now", "555.123.4567"),
    (Kind.PHONE, "Abroad: +33 1 23 45 67 89.", "+33 1 23 45 67 89"),
    (Kind.URL, "Her site is https://example.com/about, look.", "https://example.com/about"),
    (Kind.URL, "See www.example-practice.org for it", "www.example-practice.org"),
    (Kind.URL, "She listed it on calmminds.co.uk.", "calmminds.co.uk"),
    (Kind.URL, "Reviews at Example.com/reviews!", "Example.com/reviews"),
    (Kind.HANDLE, "She posts as @calm_therapist_99 on Instagram.", "@calm_therapist_99"),
    (Kind.HANDLE, "@janedoe said it", "@janedoe"),
    (Kind.HANDLE, "tagged (@Mind.Matters) in a post", "@Mind.Matters"),
    (Kind.HANDLE, "follow @dr_sam", "@dr_sam"),
    (Kind.TITLED_NAME, "Dr Smith told me to stop.", "Dr Smith"),
    (Kind.TITLED_NAME, "I saw Dr. Jane Smith twice.", "Dr. Jane Smith"),
    (Kind.TITLED_NAME, "Then Mrs O'Brien took over.", "Mrs O'Brien"),
    (Kind.TITLED_NAME, "Prof. A. Jones ran the group", "Prof. A. Jones"),
    (Kind.TITLED_NAME, "and Mx Taylor-Reid said", "Mx Taylor-Reid"),
    (Kind.THERAPIST_NAME, "My therapist Sarah said I was too much.", "Sarah"),
    (Kind.THERAPIST_NAME, "my counsellor, John Smith, ended it", "John Smith"),
    (Kind.THERAPIST_NAME, "My old psychologist Anna never listened", "Anna"),
    (Kind.THERAPIST_NAME, "a psychiatrist called Tomasz prescribed it", "Tomasz"),
    (Kind.THERAPIST_NAME, "my CBT therapist (Priya) laughed", "Priya"),
    (Kind.CLINIC, "I went to the Riverside Clinic for a year.", "Riverside Clinic"),
    (Kind.CLINIC, "She worked at St Mary's Hospital.", "St Mary's Hospital"),
    (Kind.CLINIC, "They sent me to Oak Tree Counselling Service.", "Oak Tree Counselling Service"),
    (Kind.CLINIC, "It was Mind Matters Wellbeing in town", "Mind Matters Wellbeing"),
    (Kind.CLINIC, "Harbour View Practice was awful", "Harbour View Practice"),
    (Kind.DATE, "It happened on 12/03/2021.", "12/03/2021"),
    (Kind.DATE, "The session on 2021-03-12 ended badly", "2021-03-12"),
    (Kind.DATE, "On 12 March 2021 she shouted", "12 March 2021"),
    (Kind.DATE, "on March 12th 2021, she", "March 12th 2021"),
    (Kind.DATE, "the 3rd of May was our last session", "the 3rd of May"),
    (Kind.DATE, "From Sept 5, 2019 onwards", "Sept 5, 2019"),
    (Kind.POSTCODE, "Her office is at SW1A 1AA.", "SW1A 1AA"),
    (Kind.POSTCODE, "near M1 1AE by the station", "M1 1AE"),
    (Kind.POSTCODE, "postcode b33 8th", "b33 8th"),
    (Kind.POSTCODE, "EC1A1BB is where", "EC1A1BB"),
]


@pytest.mark.parametrize(("kind", "text", "span"), POSITIVE, ids=lambda v: str(v)[:30])
def test_finds_identifier(kind, text, span):
    findings = find_identifiers(text)
    assert [(f.kind, f.text) for f in findings] == [(kind, span)]
    finding = findings[0]
    assert text[finding.start : finding.end] == span
    assert finding.explanation == EXPLANATIONS[kind]


NEGATIVE = {
    Kind.EMAIL: [
        "She said @ the end of it all",
        "I emailed her but she never replied.",
        "user at example",
        "the ratio was 3@4",
    ],
    Kind.PHONE: [
        "In 2019 I paid £1,200 for 12 sessions.",
        "It took 3 years, 1990-2000, then 2019 2020 2021.",
        "She charged 65 per session, 24/7, 50% of the time.",
        "Samaritans on 116 123 helped me.",
        "Pi is 3.14159265 or so.",
    ],
    Kind.URL: [
        "I think e.g. this matters, i.e. nothing else.",
        "I use Node.js at work.",
        "It was the end of therapy.It was over.",
        "Mr. Smith is not a link",
    ],
    Kind.HANDLE: [
        "email me@ home",
        "meet @ 5pm",
        "a@b",
        "@1234 is a number",
    ],
    Kind.TITLED_NAME: [
        "I felt Dr-like and clinical about it.",
        "The doctor said I was fine.",
        "I saw the Dr. The next day was worse.",
        "My dr said nothing.",
    ],
    Kind.THERAPIST_NAME: [
        "My therapist said I was fine.",
        "my counsellor I trusted left.",
        "My psychologist, frankly, was cold.",
        "My therapist on Monday cancelled.",
    ],
    Kind.CLINIC: [
        "I had Cognitive Behavioural Therapy for a year.",
        "The Mental Health Centre was busy.",
        "Group Therapy helped more than anything.",
        "NHS Talking Therapies had a long wait.",
        "I went to the clinic and the hospital.",
        "My Experience With Therapy",
    ],
    Kind.DATE: [
        "In March 2021 I started therapy.",
        "It ended in 2021.",
        "I may 2 times have said it.",
        "We met every 2 weeks in May.",
        "I was 12 when it started.",
        "Version 3.10 of the form.",
    ],
    Kind.POSTCODE: [
        "I had 3 sessions.",
        "She said ab12cd in a code.",
        "It was an A4 page.",
        "Flight BA1 was late.",
    ],
}


@pytest.mark.parametrize(
    ("kind", "text"),
    [(kind, text) for kind, texts in NEGATIVE.items() for text in texts],
    ids=lambda v: str(v)[:30],
)
def test_leaves_ordinary_text_alone(kind, text):
    assert [f.kind for f in find_identifiers(text) if f.kind == kind] == []


@pytest.mark.parametrize(
    "text",
    [
        "In March 2021 I started therapy.",
        "My therapist said I was too sensitive, and I believed her for two years.",
        "I felt unheard, misunderstood, and then I stopped going.",
        "After 40 sessions I felt worse, not better.",
        "",
    ],
)
def test_ordinary_sentences_yield_nothing(text):
    assert find_identifiers(text) == []


def test_findings_are_sorted_and_never_overlap():
    text = (
        "On 12 March 2021 Dr Smith at the Riverside Clinic (riverside.org, 07700 900123, "
        "help@riverside.org) told me, SW1A 1AA, @riverside"
    )
    findings = find_identifiers(text)
    kinds = [f.kind for f in findings]
    assert kinds == [
        Kind.DATE,
        Kind.TITLED_NAME,
        Kind.CLINIC,
        Kind.URL,
        Kind.PHONE,
        Kind.EMAIL,
        Kind.POSTCODE,
        Kind.HANDLE,
    ]
    for earlier, later in itertools.pairwise(findings):
        assert earlier.end <= later.start


def test_email_wins_over_the_domain_inside_it():
    assert [f.kind for f in find_identifiers("sam@clinic.co.uk")] == [Kind.EMAIL]


def test_finding_is_frozen():
    finding = find_identifiers("call 07700 900123")[0]
    assert isinstance(finding, Finding)
    with pytest.raises(AttributeError):
        finding.kind = Kind.EMAIL  # type: ignore[misc]


def test_every_kind_has_a_kind_explanation():
    assert set(EXPLANATIONS) == set(Kind)
    for sentence in EXPLANATIONS.values():
        assert sentence.endswith(".") and len(sentence) < 200

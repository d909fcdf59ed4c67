"""Fixed vocabularies of the compose form: content notes, guided prompts, labels."""

from __future__ import annotations

from forum.stories.models import Attribution, Format, Setting

# Content notes hide the body inside a closed <details> until the reader opens it.
CONTENT_NOTES = {
    "suicide": "Suicidal thoughts or feelings",
    "self-harm": "Self-harm",
    "sexual-abuse": "Sexual abuse or assault",
    "abuse": "Abuse or violence",
    "eating": "Eating difficulties",
    "medication": "Medication",
    "bereavement": "Death or bereavement",
    "substances": "Alcohol or drugs",
}

# Notes for which a story's resources panel puts crisis help first.
CRISIS_NOTES = frozenset({"suicide", "self-harm"})

# Optional guided prompts and reflection questions (PRODUCT.md, publishing flow).
PROMPTS = {
    "affected": "How did it affect you?",
    "would-have-helped": "What would have helped?",
    "resilience": "Has therapy strengthened or worn down your resilience?",
    "connection": "Do you feel more connected to your community, or more isolated?",
    "risks": "Did anyone discuss the risks or possible negative effects with you?",
    "support": "Which relationships and practices outside therapy support you?",
    "saving-up": "Did you find yourself saving up hurts to bring to sessions, and did that help?",
    "group": "Have you tried group therapy?",
}

SETTING_LABELS = {
    Setting.PRIVATE: "Private practice",
    Setting.PUBLIC: "Public health service (for example the NHS)",
    Setting.EDUCATION: "School, college or university",
    Setting.WORKPLACE: "Through work",
    Setting.ONLINE: "Online or an app",
    Setting.INPATIENT: "Inpatient or residential",
}

FORMAT_LABELS = {
    Format.INDIVIDUAL: "Individual",
    Format.COUPLES: "Couples",
    Format.FAMILY: "Family",
    Format.GROUP: "Group",
}

ATTRIBUTION_LABELS = {
    Attribution.THERAPY: "The therapy",
    Attribution.OTHER: "Other things going on at the time",
    Attribution.UNSURE: "I'm not sure",
}

IMPACT_LABELS = {
    0: "0 – not at all",
    1: "1 – a little",
    2: "2 – moderately",
    3: "3 – a lot",
    4: "4 – extremely",
}

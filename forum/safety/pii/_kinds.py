"""What the de-identification check can find, and how it explains each kind to the teller."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.StrEnum):
    """What sort of identifier a finding is (earlier kinds win ties)."""

    NATIONAL_ID = "national_id"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    HANDLE = "handle"
    TITLED_NAME = "titled_name"
    THERAPIST_NAME = "therapist_name"
    CLINIC = "clinic"
    ORGANISATION = "organisation"
    ADDRESS = "address"
    DATE = "date"
    POSTCODE = "postcode"
    AGE = "age"
    PLACE = "place"
    NAME = "name"


EXPLANATIONS = {
    Kind.EMAIL: "An email address can identify you or someone else.",
    Kind.PHONE: "A phone number can identify you or someone else.",
    Kind.NATIONAL_ID: (
        "This looks like an NHS number or social security number. It identifies one person."
    ),
    Kind.URL: "A link or web address can lead back to you or someone else.",
    Kind.HANDLE: "A handle or username can lead to someone's account on another site.",
    Kind.TITLED_NAME: (
        "A name can identify your therapist or someone else. "
        "A job title, like “my psychologist”, keeps your story and protects everyone."
    ),
    Kind.THERAPIST_NAME: (
        "Your therapist's name can identify them, and you. "
        "“My therapist” on its own tells the story just as well."
    ),
    Kind.CLINIC: (
        "The name of a clinic or service can narrow down who you are. "
        "Something general, like “a private clinic”, is safer."
    ),
    Kind.ORGANISATION: (
        "Naming an employer, school, hospital or other organisation can narrow down who you "
        "are. Something general, like “a large employer”, is safer."
    ),
    Kind.ADDRESS: "A street address can point to where you or someone else lives or works.",
    Kind.DATE: (
        "An exact date can help someone recognise you. A month and year, or “early 2021”, is safer."
    ),
    Kind.POSTCODE: "A postcode can point to where you or someone else lives or works.",
    Kind.AGE: (
        "An exact age, with other details, can help someone recognise you. "
        "“In my twenties” is safer."
    ),
    Kind.PLACE: (
        "A town, city or region can narrow down who you are, especially with other details. "
        "Something general, like “a city in the north”, is safer."
    ),
    Kind.NAME: (
        "This looks like a person's name. A name can identify them, and you. "
        "“A friend”, “my sister” or “my therapist” tells the story just as well."
    ),
}

# What the check step calls each kind when it groups findings (plural, as a heading).
LABELS = {
    Kind.NATIONAL_ID: "Identity numbers",
    Kind.EMAIL: "Email addresses",
    Kind.PHONE: "Phone numbers",
    Kind.URL: "Links and web addresses",
    Kind.HANDLE: "Usernames and accounts",
    Kind.TITLED_NAME: "Names with a title",
    Kind.THERAPIST_NAME: "Your therapist's name",
    Kind.CLINIC: "Clinics and services",
    Kind.ORGANISATION: "Organisations",
    Kind.ADDRESS: "Street addresses",
    Kind.DATE: "Exact dates",
    Kind.POSTCODE: "Postcodes",
    Kind.AGE: "Ages",
    Kind.PLACE: "Places",
    Kind.NAME: "Names",
}

LOW_EXPLANATION = (
    "Years, months and days of the week rarely identify anyone on their own. "
    "Together with other details they can, so they are here in case you want to change them."
)

# A general phrase to offer instead of each kind of finding.
SUGGESTIONS = {
    Kind.EMAIL: "my email address",
    Kind.PHONE: "my phone number",
    Kind.NATIONAL_ID: "my NHS number",
    Kind.URL: "their website",
    Kind.HANDLE: "their account",
    Kind.TITLED_NAME: "my therapist",
    Kind.THERAPIST_NAME: "my therapist",
    Kind.CLINIC: "a private clinic",
    Kind.ORGANISATION: "a large organisation",
    Kind.ADDRESS: "a street nearby",
    Kind.DATE: "around that time",
    Kind.POSTCODE: "nearby",
    Kind.AGE: "in my twenties",
    Kind.PLACE: "a city",
    Kind.NAME: "someone",
}


@dataclass(frozen=True)
class Finding:
    """One possible identifier: where it is in the text, what it is and why it matters."""

    kind: Kind
    start: int
    end: int
    text: str
    explanation: str
    # Ranked low: a coarse date that rarely identifies anyone on its own (shown apart, quietly).
    low: bool = False

"""Admin forms for the taxonomy: shape only; the services check the rules."""

from __future__ import annotations

from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from forum.forms import BaseForm


class TagEditForm(BaseForm):
    """Rename a tag or change its description."""

    name = StringField("Name", validators=[DataRequired("Enter a name"), Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=1000)])


class TagAddForm(TagEditForm):
    """Add a harm tag to a group, or a practice tag."""

    slug = StringField(
        "Short name for web addresses",
        validators=[DataRequired("Enter a short name for web addresses"), Length(max=100)],
    )
    kind = RadioField(
        "Kind of tag",
        choices=[
            SelectChoice("harm", "A harm type (what went wrong)"),
            SelectChoice("practice", "A community practice (what helped)"),
        ],
        validators=[InputRequired("Choose the kind of tag")],
    )
    group = SelectField("Group (harm types only)", choices=[], validate_choice=False)

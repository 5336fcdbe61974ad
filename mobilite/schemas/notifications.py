"""The notification preferences form: one channel per category of messages."""

from __future__ import annotations

from mobilite.models import Channel
from mobilite.notifications.kinds import CATEGORIES
from mobilite.schemas.base import N_, FormSchema
from mobilite.schemas.choices import choice_of

CHOOSE_A_CHANNEL = N_("Choisissez l'une des options proposées.")

# A field per category (its key is the form's input name); which ones a person may set is the service's
# rule (their roles, and no "app only" where a legal deadline applies).
PreferencesSchema = FormSchema.from_dict(
    {category.key: choice_of(Channel, error=CHOOSE_A_CHANNEL) for category in CATEGORIES if category.role},
    name="PreferencesSchema",
)

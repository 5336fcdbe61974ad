"""Marshmallow schemas shared by the forms, the imports and the API."""

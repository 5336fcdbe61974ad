"""Lifecycles: for each aggregate, the allowed status transitions and the named sets of statuses."""

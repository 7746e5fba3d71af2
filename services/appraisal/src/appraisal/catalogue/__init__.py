"""Catalogue: the service items, the survey templates and which template applies to which project."""

"""Scoring: the period scores of vendors from surveys, inspections, complaints and rectifications."""

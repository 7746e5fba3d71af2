"""Houqin appraisal.

Half-yearly satisfaction surveys, inspections, rectification, complaints, scoring, ranking and awards (监督考核)."""

"""Inspections: checklists, routine inspections and food-safety inspections with their findings."""

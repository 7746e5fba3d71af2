"""Rectification: findings from inspections and complaints become orders a vendor must close with evidence."""

"""OCDS: the procurement data published as Open Contracting releases and records."""

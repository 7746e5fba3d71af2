"""Vendors: the registry, qualifications, credit records, due diligence, vetoes and eligibility."""

"""Houqin contracts-api.

Vendors, due diligence and one-vote veto (一票否决),
service projects, procurement, contract lifecycle, archive, OCDS open data."""

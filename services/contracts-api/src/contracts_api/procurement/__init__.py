"""Procurement: route decisions, procurements with quotes and bids, tender evaluation, renewals."""

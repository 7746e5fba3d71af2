"""Surveys: satisfaction campaigns, one-time invitations, responses and their results."""

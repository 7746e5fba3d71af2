"""Contracts: the lifecycle of service contracts (draft to archived), reviews and history."""

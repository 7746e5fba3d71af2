"""Houqin shared library: what the three services have in common and how they talk to each other."""

__version__ = "0.1.0"

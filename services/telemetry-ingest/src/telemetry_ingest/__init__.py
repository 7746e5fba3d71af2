"""Houqin telemetry-ingest.

24/7 energy-meter readings and BeiDou positions of official vehicles:
device registry, MQTT/HTTP ingestion, queries, KPIs."""

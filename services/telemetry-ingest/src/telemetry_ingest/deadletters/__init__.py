"""Dead letters: the messages the ingest could not store, kept for inspection."""

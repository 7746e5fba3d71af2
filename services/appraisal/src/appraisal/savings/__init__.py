"""The savings ledger of outsourcing (节约经费): projects, shared platforms, energy, the yearly statement."""

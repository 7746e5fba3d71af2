"""The append-only audit log every write of contracts-api goes through (write it with :mod:`.service`)."""

from contracts_api.audit.service import add_recorded, record, update_recorded

__all__ = ["add_recorded", "record", "update_recorded"]

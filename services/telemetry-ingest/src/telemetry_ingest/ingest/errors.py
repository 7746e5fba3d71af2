from __future__ import annotations

from houqin_common.errors import ProblemError
from houqin_common.i18n import N_


class PayloadTooLarge(ProblemError):
    status, code, title = 413, "payload-too-large", N_("Payload too large")

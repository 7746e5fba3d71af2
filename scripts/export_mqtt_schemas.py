"""Write the JSON Schema of the MQTT payload models to docs/schemas/ (run by `make openapi`).

The models in houqin_common.schemas are the ingest's validator; gateway vendors get the same contract
as JSON Schema. tests/telemetry_ingest/ingest/test_schemas_published.py fails when a file is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from houqin_common.schemas import AlarmPayload, PositionPayload, ReadingPayload

OUT = Path(__file__).resolve().parents[1] / "docs" / "schemas"
MODELS = {"reading.json": ReadingPayload, "position.json": PositionPayload, "alarm.json": AlarmPayload}


def rendered() -> dict[str, str]:
    out = {}
    for name, model in MODELS.items():
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **model.model_json_schema()}
        out[name] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return out


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in rendered().items():
        (OUT / name).write_text(text)
        sys.stdout.write(f"wrote {OUT / name}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmarks (`make bench`): each prints our figures beside a baseline measured in the same run."""

import sys
from pathlib import Path

# the baselines' oracles live with the tests (tests/oracles), never in the services
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

"""Makes the appraisal test kit importable (`from appraisal_testkit import World`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

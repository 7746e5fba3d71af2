"""A scoring scheme may weigh only the components scoring computes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from appraisal.settings import COMPONENTS, DEFAULT_SCHEMES, Settings


def test_a_misspelt_component_in_a_scheme_is_refused() -> None:
    with pytest.raises(ValidationError, match="weighs unknown components satisfacton"):
        Settings(schemes={"support": {"satisfacton": 0.6, "routine": 0.4}})


def test_the_default_schemes_weigh_known_components_only() -> None:
    schemes = Settings(schemes=DEFAULT_SCHEMES).schemes
    assert schemes == DEFAULT_SCHEMES
    assert set().union(*schemes.values()) <= set(COMPONENTS)

"""Progress lines of `houqin seed`: how far out of how much, at every step it was asked for and at the end."""

from __future__ import annotations

import pytest

from houqin_common.progress import Counter, say


def test_a_counter_reports_every_step_and_the_end(capsys: pytest.CaptureFixture[str]) -> None:
    counter = Counter("vehicles", total=25, every=10)
    for _ in range(25):
        counter.advance()
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        "houqin seed: vehicles: 10/25",
        "houqin seed: vehicles: 20/25",
        "houqin seed: vehicles: 25/25",
    ]
    assert "(100 %," in lines[-1]
    say("done")
    assert capsys.readouterr().out == "houqin seed: done\n"

"""Service connections run without JIT unless the setting asks for it (see ``houqin_common.db.create_engine``)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from houqin_common.db import create_engine


@pytest.mark.parametrize(("jit", "expected"), [(False, "off"), (True, "on")])
async def test_jit_follows_the_setting(database_url: str, jit: bool, expected: str) -> None:
    engine = create_engine(database_url, pool_size=1, jit=jit)
    try:
        async with engine.connect() as conn:
            # the server's default is on (PostgreSQL 12+): the "on" case is the positive control
            assert (await conn.execute(text("SHOW jit"))).scalar_one() == expected
    finally:
        await engine.dispose()


async def test_other_server_settings_are_kept(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=1, connect_args={"server_settings": {"application_name": "probe"}})
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SHOW jit"))).scalar_one() == "off"
            assert (await conn.execute(text("SHOW application_name"))).scalar_one() == "probe"
    finally:
        await engine.dispose()

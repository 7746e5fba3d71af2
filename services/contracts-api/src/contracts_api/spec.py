"""The entry point through which the platform discovers contracts-api."""

from houqin_common.app import ServiceSpec

SPEC = ServiceSpec(
    name="contracts",
    title="contracts-api",
    package="contracts_api",
    app_factory="contracts_api.main:create_app",
    port=8001,
    schema="contracts",
    seed="contracts_api.seed:seed",
)

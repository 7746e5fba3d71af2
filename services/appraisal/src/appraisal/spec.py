"""The entry point through which the platform discovers appraisal."""

from houqin_common.app import ServiceSpec

SPEC = ServiceSpec(
    name="appraisal",
    title="appraisal",
    package="appraisal",
    app_factory="appraisal.main:create_app",
    port=8003,
    schema="appraisal",
    seed="appraisal.seed:seed",
)

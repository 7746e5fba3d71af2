"""deploy/compose.yaml: parses, references only what exists, pins images, checks every service's health.

No compose binary is available here (only the Docker client), so the structure is checked directly.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import yaml

from houqin_common.app import discover_services


@pytest.fixture(scope="module")
def compose(repo):
    return yaml.safe_load((repo / "deploy" / "compose.yaml").read_text(encoding="utf-8"))


def _one_shots(compose: dict) -> set[str]:
    waited = set()
    for service in compose["services"].values():
        for name, cond in (service.get("depends_on") or {}).items():
            if cond.get("condition") == "service_completed_successfully":
                waited.add(name)
    return waited


def _conf(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.strip().partition(" ")
            out[key] = value.strip()
    return out


def test_every_long_running_service_has_a_healthcheck_and_one_shots_do_not_restart(compose):
    one_shots = _one_shots(compose)
    assert {"migrate-contracts", "migrate-telemetry", "migrate-appraisal"} <= one_shots
    for name, service in compose["services"].items():
        if name in one_shots:
            assert service["restart"] == "no", name
            assert service["command"] == ["houqin", "migrate"], name
        else:
            test = service.get("healthcheck", {}).get("test")
            assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name} has no healthcheck"
            assert service.get("restart") == "unless-stopped", name


def test_images_are_pinned(compose):
    for name, service in compose["services"].items():
        image = service["image"]
        repo_, _, tag = image.rpartition(":")
        assert repo_ and tag and tag != "latest" and re.search(r"\d", tag), f"{name}: {image} is not pinned"
    assert compose["services"]["timescaledb"]["image"].startswith("timescale/timescaledb:2.28.")
    assert compose["services"]["timescaledb"]["image"].endswith("-pg15")
    assert compose["services"]["mosquitto"]["image"].startswith("eclipse-mosquitto:2.")


def test_referenced_files_exist(compose, repo):
    deploy = repo / "deploy"
    named_volumes = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        build = service.get("build")
        if build:
            context = (deploy / build["context"]).resolve()
            assert context == repo, f"{name}: images build from the workspace root"
            assert (context / build["dockerfile"]).is_file(), f"{name}: {build['dockerfile']} missing"
        for env_file in service.get("env_file") or []:
            path = deploy / (env_file if isinstance(env_file, str) else env_file["path"])
            # .env holds the secrets and is never committed: its template must be
            template = path.with_name(path.name + ".example") if path.name == ".env" else path
            assert template.is_file(), f"{name}: {template} missing"
        for volume in service.get("volumes") or []:
            source = volume.split(":", 1)[0]
            if source.startswith((".", "/")):
                assert (deploy / source).exists(), f"{name}: bind mount {source} missing"
            else:
                assert source in named_volumes, f"{name}: volume {source} not declared"
        for dep in service.get("depends_on") or {}:
            assert dep in compose["services"], f"{name} depends on unknown {dep}"


def test_each_service_runs_its_own_image_migration_and_factory(compose, layouts, repo):
    for name, layout in layouts.items():
        service = compose["services"][name]
        build = service["build"]
        assert (repo / build["dockerfile"]).resolve() == layout.dockerfile.resolve()
        assert service["depends_on"][f"migrate-{name}"]["condition"] == "service_completed_successfully"
        assert compose["services"][f"migrate-{name}"]["image"] == service["image"]
        port = str(layout.spec.port)
        assert f"{port}:{port}" in service["ports"]
        assert f"127.0.0.1:{port}/healthz" in " ".join(service["healthcheck"]["test"])


def test_the_consumer_worker_is_the_one_the_service_declares(compose):
    spec = discover_services()["telemetry"]
    consumer = compose["services"]["telemetry-consumer"]
    assert consumer["command"][:3] == ["python", "-m", "houqin_common.platform"]
    assert consumer["command"][3] in spec.workers.values()
    assert consumer["image"] == compose["services"]["telemetry"]["image"]
    module = consumer["command"][3].split(":")[0]
    assert importlib.util.find_spec(module) is not None


def test_broker_requires_passwords_and_matches_the_tested_tuning(compose, repo):
    conf = _conf(repo / "deploy/mosquitto/mosquitto.conf")
    assert conf["allow_anonymous"] == "false"
    mount = next(v for v in compose["services"]["mosquitto"]["volumes"] if v.endswith(":/mosquitto/config:ro"))
    config_dir = repo / "deploy" / mount.split(":")[0]
    assert conf["password_file"] == "/mosquitto/config/passwd"
    assert (config_dir / Path(conf["acl_file"]).name).is_file()
    assert conf["persistence"] == "true"
    data_dir = conf["persistence_location"].rstrip("/")
    assert any(v.endswith(":" + data_dir) for v in compose["services"]["mosquitto"]["volumes"])
    tested_path = repo / "services/telemetry-ingest/mosquitto/houqin.conf"
    if tested_path.exists():
        tested = _conf(tested_path)
        for key in ("max_inflight_messages", "max_queued_messages", "max_queued_bytes", "persistent_client_expiration"):
            if key in tested:
                assert conf[key] == tested[key], f"{key} differs from the configuration the ingest is tested with"
    from telemetry_ingest.settings import Settings

    batch = Settings.model_fields["batch_max_size"].default
    assert int(conf["max_inflight_messages"]) >= 2 * batch, "the in-flight window must hold two ingest batches"
    assert int(conf["max_queued_messages"]) >= 100_000


def test_env_example_is_current_and_names_every_required_variable(compose, repo):
    import runpy

    exporter = runpy.run_path(str(repo / "tests/deploy/export_env_example.py"))
    assert exporter["main"](["--check"]) == 0, (
        "deploy/.env.example is stale: run `uv run python tests/deploy/export_env_example.py`"
    )
    example = (repo / "deploy/.env.example").read_text(encoding="utf-8")
    text = (repo / "deploy/compose.yaml").read_text(encoding="utf-8")
    for var in set(re.findall(r"\$\{(\w+)(?::?[?-][^}]*)?\}", text)):
        assert re.search(rf"^#?{var}=", example, re.M), f"compose uses ${{{var}}} which .env.example lacks"


def test_the_jt808_gateway_runs_the_declared_worker_and_publishes_the_terminal_port(compose):
    spec = discover_services()["telemetry"]
    gateway = compose["services"]["telemetry-jt808"]
    assert gateway["command"][3] == spec.workers["jt808-gateway"]
    assert gateway["image"] == compose["services"]["telemetry"]["image"]
    assert "6808:6808" in gateway["ports"]
    port = gateway["environment"]["HOUQIN_TELEMETRY_JT808_METRICS_PORT"]
    assert f":{port}/metrics" in gateway["healthcheck"]["test"][-1]

"""deploy/k8s: the Kustomize base renders, validates against the Kubernetes schemas, and hangs together.

Rendering uses `kubectl kustomize` when kubectl is installed (it is on the CI machine), otherwise a
minimal renderer of the same base. Schema validation uses `kubernetes-validate` (PyPI), which bundles
the Kubernetes JSON schemas, so it works offline.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from houqin_common.app import discover_services

K8S_VERSION = "1.30.0"  # the oldest Kubernetes release the manifests must work on
NAMESPACED = {"ConfigMap", "Secret", "Deployment", "StatefulSet", "Service", "Job", "HorizontalPodAutoscaler"}
NAMESPACED |= {"PersistentVolumeClaim", "PodDisruptionBudget"}


def _render_without_kubectl(base: Path) -> list[dict]:
    kustomization = yaml.safe_load((base / "kustomization.yaml").read_text(encoding="utf-8"))
    tags = {i["name"]: i["newTag"] for i in kustomization.get("images", [])}
    docs = []
    for resource in kustomization["resources"]:
        for doc in yaml.safe_load_all((base / resource).read_text(encoding="utf-8")):
            if doc["kind"] in NAMESPACED:
                doc["metadata"]["namespace"] = kustomization["namespace"]
            for container in _containers(doc):
                container["image"] = f"{container['image']}:{tags[container['image']]}"
            docs.append(doc)
    return docs


@pytest.fixture(scope="module")
def manifests(repo) -> list[dict]:
    base = repo / "deploy/k8s/base"
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return _render_without_kubectl(base)
    done = subprocess.run([kubectl, "kustomize", str(base)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d]


def _pod_spec(doc: dict) -> dict | None:
    if doc["kind"] in ("Deployment", "StatefulSet", "Job"):
        return doc["spec"]["template"]["spec"]
    return None


def _containers(doc: dict) -> list[dict]:
    spec = _pod_spec(doc)
    return [*spec.get("initContainers", []), *spec["containers"]] if spec else []


def _by_kind(manifests: list[dict], kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in manifests if d["kind"] == kind}


def test_manifests_validate_against_the_kubernetes_schemas(manifests):
    kubernetes_validate = pytest.importorskip(
        "kubernetes_validate", reason="kubernetes-validate (PyPI) belongs in the workspace's dev group"
    )
    assert len(manifests) >= 15
    for doc in manifests:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_the_validator_rejects_a_broken_manifest(manifests):
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    deployment = copy.deepcopy(_by_kind(manifests, "Deployment")["contracts"])
    deployment["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] = {"bad": 1}
    deployment["spec"]["replica"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSION, strict=True)


def test_every_service_has_a_deployment_probes_and_a_service(manifests, layouts):
    deployments = _by_kind(manifests, "Deployment")
    services = _by_kind(manifests, "Service")
    for name, layout in layouts.items():
        deployment = deployments[name]
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["image"].startswith(f"houqin/{layout.root.name}:")
        assert "command" not in container, "the API runs the image's CMD (uvicorn --factory ...)"
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports["http"] == layout.spec.port
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        service = services[name]
        assert service["spec"]["selector"].items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
        assert service["spec"]["ports"][0]["port"] == layout.spec.port
        assert service["spec"]["ports"][0]["targetPort"] in ports


def test_every_container_has_requests_limits_and_runs_unprivileged(manifests):
    for doc in manifests:
        spec = _pod_spec(doc)
        if spec is None:
            continue
        assert spec["securityContext"]["runAsNonRoot"] is True
        for container in _containers(doc):
            where = f"{doc['kind']}/{doc['metadata']['name']}/{container['name']}"
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]) and {"cpu", "memory"} <= set(resources["limits"])
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, where
            tag = container["image"].rpartition(":")[2]
            assert tag and tag != "latest" and "/" not in tag, f"{where}: image {container['image']} is not pinned"
            if container["securityContext"].get("readOnlyRootFilesystem"):
                assert any(m["mountPath"] == "/tmp" for m in container.get("volumeMounts", [])), where


def test_references_resolve(manifests):
    names = {(d["kind"], d["metadata"]["name"]) for d in manifests}
    for doc in manifests:
        spec = _pod_spec(doc)
        if spec is None:
            continue
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for volume in volumes.values():
            if "persistentVolumeClaim" in volume:
                assert ("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"]) in names
        for container in _containers(doc):
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    assert ("ConfigMap", source["configMapRef"]["name"]) in names
                if "secretRef" in source:
                    assert ("Secret", source["secretRef"]["name"]) in names
            for mount in container.get("volumeMounts", []):
                assert mount["name"] in volumes
    for hpa in _by_kind(manifests, "HorizontalPodAutoscaler").values():
        target = hpa["spec"]["scaleTargetRef"]
        assert (target["kind"], target["name"]) in names
    for doc in _by_kind(manifests, "StatefulSet").values():
        assert ("Service", doc["spec"]["serviceName"]) in names


def test_migration_job_runs_houqin_migrate_in_each_image(manifests, layouts):
    job = _by_kind(manifests, "Job")["houqin-migrate"]
    images = {c["image"].rpartition(":")[0]: c["command"] for c in _containers(job)}
    for layout in layouts.values():
        assert images[f"houqin/{layout.root.name}"] == ["houqin", "migrate"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] in ("OnFailure", "Never")


def test_consumer_replicas_own_one_partition_each_with_stable_client_ids_and_no_share(manifests):
    """docs/mqtt.md: no $share (Mosquitto loses it on restart); replicas = partitions, ordinal = partition."""
    from telemetry_ingest.ingest.partition import own_partition

    spec = discover_services()["telemetry"]
    consumer = _by_kind(manifests, "StatefulSet")["telemetry-consumer"]
    (container,) = consumer["spec"]["template"]["spec"]["containers"]
    assert container["command"][3] in spec.workers.values()
    env = {e["name"]: e for e in container["env"]}
    assert env["HOUQIN_TELEMETRY_MQTT_CLIENT_ID"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    replicas = consumer["spec"]["replicas"]
    assert int(env["HOUQIN_TELEMETRY_MQTT_PARTITIONS"]["value"]) == replicas >= 2
    name = consumer["metadata"]["name"]
    assert [own_partition(f"{name}-{k}", replicas, None) for k in range(replicas)] == list(range(replicas))
    config = _by_kind(manifests, "ConfigMap")["houqin-config"]["data"]
    assert config.get("HOUQIN_TELEMETRY_MQTT_SHARED", "false") == "false"
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in _by_kind(manifests, "HorizontalPodAutoscaler").values()}
    assert "telemetry-consumer" not in hpas  # an autoscaler would break replicas = partitions
    assert "telemetry" in hpas


def test_configmap_and_secret_set_only_known_settings(manifests, repo):
    example = (repo / "deploy/.env.example").read_text(encoding="utf-8")
    data = {
        **_by_kind(manifests, "ConfigMap")["houqin-config"]["data"],
        **_by_kind(manifests, "Secret")["houqin-secrets"]["stringData"],
    }
    for key in data:
        if key.startswith("HOUQIN_"):
            assert f"{key}=" in example or f"# {key} is set" in example, f"{key} is not a Houqin setting"
    assert json.dumps(data)  # plain strings only


def test_jt808_gateway_replicas_have_their_own_client_ids_behind_one_tcp_service(manifests):
    spec = discover_services()["telemetry"]
    gateway = _by_kind(manifests, "Deployment")["telemetry-jt808"]
    (container,) = gateway["spec"]["template"]["spec"]["containers"]
    assert container["command"][3] == spec.workers["jt808-gateway"]
    env = {e["name"]: e for e in container["env"]}
    assert env["HOUQIN_TELEMETRY_JT808_MQTT_CLIENT_ID"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    service = _by_kind(manifests, "Service")["telemetry-jt808"]
    assert service["spec"]["ports"][0]["port"] == 6808 and service["spec"]["ports"][0]["protocol"] == "TCP"
    assert service["spec"]["selector"].items() <= gateway["spec"]["template"]["metadata"]["labels"].items()
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in _by_kind(manifests, "HorizontalPodAutoscaler").values()}
    assert hpas["telemetry-jt808"]["spec"]["minReplicas"] >= 2

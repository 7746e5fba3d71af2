"""Operator commands of the `houqin` CLI: `houqin devices credentials`.

Onboarding devices to an authenticated Mosquitto is one command: it reads the registered meters and
vehicles from telemetry-ingest's API and writes the broker's password file (Mosquitto's own PBKDF2-SHA512
format, ``user:$7$iterations$salt$hash``) and ACL, where each device may publish only to its own topic
and the ingest user reads everything through its shared subscription. New devices get a fresh random
password, written once to a ``credentials-<time>.csv`` for provisioning; known devices keep theirs;
devices no longer registered are revoked.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from houqin_common import clock
from houqin_common.auth import Role, create_token
from houqin_common.clients import TelemetryClient
from houqin_common.i18n import _
from houqin_common.settings import ServiceSettings

MOSQUITTO_PBKDF2 = "7"
DEFAULT_ITERATIONS = 101  # mosquitto_passwd's own default (Mosquitto 2.0)
SALT_BYTES = 12
TOPIC_PREFIX = "houqin/v1"
#: a device id must be one topic level and one password-file user name
SAFE_ID = re.compile(r"^[A-Za-z0-9._~-]{1,128}$")

KINDS = {
    # kind: (API path, topic template)
    "meter": ("/v1/meters", TOPIC_PREFIX + "/meters/{id}/readings"),
    "vehicle": ("/v1/vehicles", TOPIC_PREFIX + "/vehicles/{id}/positions"),
}


def mosquitto_hash(password: str, *, salt: bytes | None = None, iterations: int = DEFAULT_ITERATIONS) -> str:
    """The password-file hash Mosquitto >= 2.0 checks: ``$7$<iterations>$<b64 salt>$<b64 pbkdf2-sha512>``."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations)
    return f"${MOSQUITTO_PBKDF2}${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_mosquitto_hash(password: str, hashed: str) -> bool:
    """Whether ``password`` matches a ``$7$`` hash (as written by us or by ``mosquitto_passwd``)."""
    parts = hashed.split("$")
    if len(parts) != 5 or parts[1] != MOSQUITTO_PBKDF2:
        return False
    iterations, salt, digest = int(parts[2]), base64.b64decode(parts[3]), base64.b64decode(parts[4])
    candidate = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, iterations)
    return hmac.compare_digest(candidate, digest)


@dataclass(frozen=True)
class Device:
    kind: str
    device_id: str

    @property
    def username(self) -> str:
        return f"{self.kind}-{self.device_id}"

    @property
    def topic(self) -> str:
        return KINDS[self.kind][1].format(id=self.device_id)


def read_passwd(path: Path) -> dict[str, str]:
    """``user -> hash`` of an existing password file (empty when there is none)."""
    if not path.exists():
        return {}
    entries: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and ":" in line:
            user, _sep, hashed = line.partition(":")
            entries[user] = hashed
    return entries


def render_passwd(entries: dict[str, str]) -> str:
    return "".join(f"{user}:{hashed}\n" for user, hashed in sorted(entries.items()))


def render_acl(*, ingest_user: str, share_group: str, devices: Iterable[Device], gateways: Iterable[str] = ()) -> str:
    """Mosquitto ACL: each device writes its own topic only; the ingest reads all through ``$share``."""
    lines = [
        "# Written by `houqin devices credentials`; do not edit by hand (the next run rewrites it).",
        "# Anything not granted here is denied.",
        "",
        f"user {ingest_user}",
        f"topic read {TOPIC_PREFIX}/#",
        f"topic read $share/{share_group}/{TOPIC_PREFIX}/#",
        "topic read $SYS/broker/#",  # the broker's own counters, exported by the consumer (docs/mqtt.md)
        "",
    ]
    for gateway in sorted(gateways):
        lines += [f"user {gateway}", f"topic write {TOPIC_PREFIX}/meters/+/readings"]
        lines += [f"topic write {TOPIC_PREFIX}/vehicles/+/positions", ""]
    for device in sorted(devices, key=lambda d: (d.kind, d.device_id)):
        lines += [f"user {device.username}", f"topic write {device.topic}", ""]
    return "\n".join(lines)


@dataclass
class CredentialsPlan:
    passwd: dict[str, str]
    acl: str
    new: list[tuple[str, str, str]]  # (username, password, topic or scope)
    kept: list[str]
    revoked: list[str]
    skipped: list[str]


def plan_credentials(
    *,
    devices: Iterable[Device],
    existing: dict[str, str],
    ingest_user: str,
    ingest_password: str | None,
    share_group: str,
    gateways: Iterable[str] = (),
    iterations: int = DEFAULT_ITERATIONS,
    rotate: bool = False,
) -> CredentialsPlan:
    """Pure decision: who keeps a password, who gets a new one, who is revoked."""
    passwd: dict[str, str] = {}
    new: list[tuple[str, str, str]] = []
    kept: list[str] = []
    skipped: list[str] = []
    valid: list[Device] = []
    for device in devices:
        if not SAFE_ID.match(device.device_id):
            skipped.append(
                _(
                    "{kind} {device}: id unusable as a topic level / user name",
                    kind=device.kind,
                    device=repr(device.device_id),
                )
            )
            continue
        valid.append(device)

    if ingest_password:
        old = existing.get(ingest_user)
        keep = old is not None and verify_mosquitto_hash(ingest_password, old)
        passwd[ingest_user] = old if keep and old else mosquitto_hash(ingest_password, iterations=iterations)
    elif ingest_user in existing:
        passwd[ingest_user] = existing[ingest_user]
    else:
        raise ValueError(_("no password for the ingest user: set HOUQIN_TELEMETRY_MQTT_PASSWORD or --ingest-password"))

    wanted = [(g, f"gateway: every device topic under {TOPIC_PREFIX}") for g in sorted(set(gateways))]
    wanted += [(d.username, d.topic) for d in valid]
    for username, scope in wanted:
        if username in existing and not rotate:
            passwd[username] = existing[username]
            kept.append(username)
        else:
            password = secrets.token_urlsafe(18)
            passwd[username] = mosquitto_hash(password, iterations=iterations)
            new.append((username, password, scope))
    revoked = sorted(set(existing) - set(passwd))
    acl = render_acl(ingest_user=ingest_user, share_group=share_group, devices=valid, gateways=gateways)
    return CredentialsPlan(passwd=passwd, acl=acl, new=new, kept=kept, revoked=revoked, skipped=skipped)


async def fetch_device_ids(client: TelemetryClient, path: str, *, page_size: int = 500) -> list[str]:
    """Every ``id`` of a paginated ``Page`` endpoint."""
    ids: list[str] = []
    offset = 0
    while True:
        body: dict[str, Any] = (await client.request("GET", path, params={"limit": page_size, "offset": offset})).json()
        items = body.get("items", [])
        ids += [str(item["id"]) for item in items]
        offset += len(items)
        if not items or offset >= int(body.get("total", 0)):
            return ids


async def fetch_devices(base_url: str, token: str, *, request_timeout: float = 10.0) -> list[Device]:
    async with TelemetryClient(base_url, token=token, timeout=request_timeout) as client:
        devices: list[Device] = []
        for kind, (path, _) in KINDS.items():
            devices += [Device(kind, device_id) for device_id in await fetch_device_ids(client, path)]
        return devices


def _write_keeping_owner(path: Path, text: str, mode: int) -> None:
    """Rewrite in place, so a group given to the broker's user (chgrp 1883) survives."""
    if path.exists():
        with path.open("w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)


def credentials(
    out_dir: Annotated[Path, typer.Option(help=_("where `passwd`, `acl` and new credentials are written"))] = Path(
        "deploy/mosquitto"
    ),
    telemetry_url: Annotated[
        str | None, typer.Option(envvar="HOUQIN_TELEMETRY_URL", help=_("telemetry-ingest base URL"))
    ] = None,
    token: Annotated[
        str | None, typer.Option(envvar="HOUQIN_TOKEN", help=_("bearer token (default: minted with HOUQIN_JWT_SECRET)"))
    ] = None,
    ingest_user: Annotated[str, typer.Option(envvar="HOUQIN_TELEMETRY_MQTT_USERNAME")] = "houqin-ingest",
    ingest_password: Annotated[
        str | None, typer.Option(envvar="HOUQIN_TELEMETRY_MQTT_PASSWORD", help=_("the ingest's broker password"))
    ] = None,
    share_group: Annotated[str, typer.Option(envvar="HOUQIN_TELEMETRY_MQTT_SHARE_GROUP")] = "houqin-ingest",
    gateway: Annotated[
        list[str] | None, typer.Option(help=_("a user that may publish for every device (gateway, simulator)"))
    ] = None,
    no_devices: Annotated[
        bool, typer.Option("--no-devices", help=_("do not ask the API (first start: ingest user only)"))
    ] = False,
    rotate: Annotated[bool, typer.Option(help=_("give every device a new password"))] = False,
    iterations: Annotated[int, typer.Option(min=1, help=_("PBKDF2 iterations"))] = DEFAULT_ITERATIONS,
) -> None:
    """Write Mosquitto's password file and ACL for every registered meter and vehicle."""
    devices: list[Device] = []
    if not no_devices:
        settings = ServiceSettings()
        url = telemetry_url or settings.telemetry_url
        bearer = token or create_token(settings, subject="houqin-devices-credentials", roles=[Role.admin], ttl_s=300)
        devices = asyncio.run(fetch_devices(url, bearer))
    out_dir.mkdir(parents=True, exist_ok=True)
    passwd_path, acl_path = out_dir / "passwd", out_dir / "acl"
    try:
        plan = plan_credentials(
            devices=devices,
            existing=read_passwd(passwd_path),
            ingest_user=ingest_user,
            ingest_password=ingest_password,
            share_group=share_group,
            gateways=gateway or (),
            iterations=iterations,
            rotate=rotate,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    _write_keeping_owner(passwd_path, render_passwd(plan.passwd), 0o640)
    _write_keeping_owner(acl_path, plan.acl, 0o644)
    for line in plan.skipped:
        typer.echo(_("skipped {line}", line=line), err=True)
    if plan.new:
        stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
        csv_path = out_dir / f"credentials-{stamp}.csv"
        fd = os.open(csv_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["username", "password", "topic"])
            writer.writerows(plan.new)
        typer.echo(
            _(
                "{count} new credential(s) in {path} (hand them to the installers, then delete it)",
                count=len(plan.new),
                path=csv_path,
            )
        )
    typer.echo(
        _(
            "{passwd}: {users} user(s), {kept} kept, {new} new, {revoked} revoked; {acl} written. "
            "Reload the broker (SIGHUP) to apply.",
            passwd=passwd_path,
            users=len(plan.passwd),
            kept=len(plan.kept),
            new=len(plan.new),
            revoked=len(plan.revoked),
            acl=acl_path,
        )
    )


def register(app: typer.Typer) -> None:
    CREDENTIALS_HELP = _("Write Mosquitto's password file and ACL for every registered meter and vehicle.")  # noqa: N806
    """Add `houqin devices credentials`, joining a `devices` group another plugin may already have."""
    for group in app.registered_groups:
        if group.name == "devices" and group.typer_instance is not None:
            group.typer_instance.command("credentials", help=CREDENTIALS_HELP)(credentials)
            return
    devices_app = typer.Typer(help=_("Registered devices (meters, vehicle terminals)."), no_args_is_help=True)
    devices_app.command("credentials", help=CREDENTIALS_HELP)(credentials)
    app.add_typer(devices_app, name="devices")

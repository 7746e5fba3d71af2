"""JWT bearer authentication and role checks.

HS256 with a shared secret serves development and tests; RS256 with the IdP's JWKS URL serves
production. A token carries ``sub``, ``roles`` and, for vendor users, ``vendor_id``: the scoping
claim that makes a vendor see only its own records.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from houqin_common.errors import Forbidden, Unauthorized
from houqin_common.i18n import _
from houqin_common.settings import ServiceSettings


class Role(StrEnum):
    admin = "admin"
    procurement = "procurement"
    reviewer = "reviewer"
    supervisor = "supervisor"
    inspector = "inspector"
    #: the administration centre's management office (管理处): runs the canteen's purchases and settlement
    office = "office"
    vendor = "vendor"
    staff = "staff"
    auditor = "auditor"
    gateway = "gateway"
    service = "service"
    #: the fire-control monitoring centre (消防监控中心, Bureau-run, outsourced staff): manages hazards
    fire_control = "fire_control"


#: Roles that may read every record of every service.
READ_ALL = (Role.admin, Role.auditor, Role.service)


@dataclass(frozen=True)
class Principal:
    """Who is calling, as the verified token says."""

    subject: str
    roles: frozenset[Role]
    vendor_id: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    token: str | None = field(default=None, compare=False, hash=False, repr=False)

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_vendor_only(self) -> bool:
        """A vendor user with no wider role: every query must be scoped to ``vendor_id``."""
        return Role.vendor in self.roles and not self.has(
            *(r for r in Role if r not in (Role.vendor, Role.staff, Role.gateway))
        )


def create_token(
    settings: ServiceSettings,
    *,
    subject: str,
    roles: list[Role] | list[str],
    vendor_id: str | None = None,
    ttl_s: int = 3600,
    extra: dict[str, Any] | None = None,
) -> str:
    """Mint an HS256 token with the development secret (tests, CLI, service-to-service)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "roles": [str(r) for r in roles],
        "iat": now,
        "exp": now + ttl_s,
        "jti": uuid.uuid4().hex,
    }
    if vendor_id is not None:
        claims["vendor_id"] = vendor_id
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    claims.update(extra or {})
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=600)


def decode_token(token: str, settings: ServiceSettings) -> Principal:
    """Verify ``token`` and return its principal; raises :class:`Unauthorized`."""
    try:
        if settings.jwt_algorithm.upper() == "HS256":
            key: Any = settings.jwt_secret
        else:
            if not settings.jwt_jwks_url:
                raise Unauthorized(_("RS256 configured without HOUQIN_JWT_JWKS_URL"))
            key = _jwks_client(settings.jwt_jwks_url).get_signing_key_from_jwt(token).key
        claims = jwt.decode(
            token,
            key,
            algorithms=[settings.jwt_algorithm.upper()],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized(_("The bearer token has expired")) from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized(_("The bearer token is invalid: {exc}", exc=exc)) from exc
    raw_roles = claims.get("roles", [])
    if isinstance(raw_roles, str):
        raw_roles = raw_roles.split()
    roles = frozenset(Role(r) for r in raw_roles if r in Role.__members__)
    vendor_id = claims.get("vendor_id")
    if Role.vendor in roles and not vendor_id:
        raise Unauthorized(_("A vendor token must carry the vendor_id claim"))
    return Principal(
        subject=str(claims["sub"]),
        roles=roles,
        vendor_id=str(vendor_id) if vendor_id is not None else None,
        claims=claims,
        token=token,
    )


#: Tokens already verified, by token and verification settings: a dashboard sends the same token with
#: every request, and checking its signature again costs more than the query behind most reads.
_VERIFIED_MAX = 4096
_verified: OrderedDict[tuple[str, ...], tuple[Principal, float, float]] = OrderedDict()


def verified_principal(token: str, settings: ServiceSettings, *, now: float | None = None) -> Principal:
    """:func:`decode_token` with a bounded cache; a cached token is refused from its ``exp`` on, as
    PyJWT would, and is verified again before its ``nbf``. ``now`` (epoch seconds) is for tests."""
    key = (
        token,
        settings.jwt_secret,
        settings.jwt_algorithm,
        settings.jwt_audience or "",
        settings.jwt_issuer or "",
        settings.jwt_jwks_url or "",
    )
    now = time.time() if now is None else now
    hit = _verified.get(key)
    if hit is not None:
        principal, not_before, expires = hit
        if not_before <= now < expires:
            return principal
        del _verified[key]
        if now >= expires:
            raise Unauthorized(_("The bearer token has expired"))
    principal = decode_token(token, settings)
    expires = float(principal.claims["exp"])
    not_before = float(principal.claims.get("nbf", 0))
    _verified[key] = (principal, not_before, expires)
    if len(_verified) > _VERIFIED_MAX:
        _verified.popitem(last=False)
    return principal


BEARER_DESCRIPTION = "JWT bearer token (`houqin token --role ...`)"
_bearer = HTTPBearer(auto_error=False, description=BEARER_DESCRIPTION)


def _principal(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    if credentials is None:
        return _caller(request, "", "")
    return _caller(request, credentials.scheme, credentials.credentials)


def _caller(request: Request, scheme: str, token: str) -> Principal:
    """The verified caller of ``Authorization: <scheme> <token>``; 401 unless a bearer token is given."""
    if not token or scheme.lower() != "bearer":
        raise Unauthorized(_("Missing bearer token: send `Authorization: Bearer <JWT>`"))
    settings: ServiceSettings = request.app.state.settings
    return verified_principal(token, settings)


async def get_principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    """The verified caller; 401 problem+json when the token is missing, malformed or expired."""
    return _principal(request, credentials)


class RoleCheck(HTTPBearer):
    """Dependency: the caller's bearer token must be valid and hold one of the allowed roles (``admin``
    always passes); answers the :class:`Principal`.

    It is the ``HTTPBearer`` security scheme itself (same scheme name and description, so the OpenAPI
    document declares the same ``HTTPBearer`` security on every route) and reads the ``Authorization``
    header in its own ``__call__``: one dependency level per request instead of two (the role check and,
    beneath it, the bearer scheme); each level FastAPI solves costs CPU on every request."""

    def __init__(self, roles: Iterable[Role]) -> None:
        super().__init__(auto_error=False, scheme_name="HTTPBearer", description=BEARER_DESCRIPTION)
        self.allowed = frozenset(roles) | {Role.admin}

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        # the header is parsed as HTTPBearer parses it (scheme, one space, the credentials)
        scheme, _sep, token = (request.headers.get("authorization") or "").partition(" ")
        principal = _caller(request, scheme, token.strip())
        if not principal.roles.intersection(self.allowed):
            wanted = ", ".join(sorted(str(r) for r in self.allowed))
            raise Forbidden(_("This operation needs one of the roles: {wanted}", wanted=wanted))
        return principal


def require_roles(*roles: Role) -> RoleCheck:
    """Dependency: the caller must hold one of ``roles`` (``admin`` always passes); see :class:`RoleCheck`."""
    return RoleCheck(roles)


def vendor_scope(principal: Principal) -> str | None:
    """The vendor id every query must be restricted to, or None when the caller sees all vendors."""
    return principal.vendor_id if principal.is_vendor_only else None


def service_token(settings: ServiceSettings, service_name: str) -> str:
    """The bearer token a service presents to the others: configured, or minted with the HS256 secret."""
    if settings.service_token:
        return settings.service_token
    return create_token(settings, subject=f"service:{service_name}", roles=[Role.service], ttl_s=365 * 24 * 3600)

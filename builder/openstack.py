"""Connections to OpenStack clouds, by openstacksdk's own conventions.

- ``cloud``: a ``clouds.yaml`` entry (``OS_CLOUD`` when empty; ``OS_CLIENT_CONFIG_FILE``
  points at another file);
- otherwise the ``OS_*`` environment variables (``OS_AUTH_URL``, ``OS_USERNAME``...);
- ``auth_type = "none"`` + ``endpoint``: a Glance without Keystone (tests, labs); then
  clouds.yaml and the environment are ignored.

Every credential (password, token, application credential secret) is registered
with :mod:`builder.secrets` as soon as it is known, so no output shows it.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any

from builder import secrets
from builder.errors import BuildError

SECRET_KEYS = ("password", "token", "application_credential_secret", "secret", "passcode",
               "client_secret", "access_secret", "totp")


@dataclass(frozen=True)
class CloudTarget:
    """Where to upload: a clouds.yaml name (or "" for OS_CLOUD/env) and a region."""

    cloud: str = ""
    region: str = ""

    @classmethod
    def parse(cls, text: str) -> CloudTarget:
        """``"name"`` or ``"name/region"``."""
        name, _, region = text.partition("/")
        return cls(name.strip(), region.strip())

    def __str__(self) -> str:
        name = self.cloud or "default cloud"
        return f"{name}/{self.region}" if self.region else name


def register_secrets(auth: Any) -> None:
    if isinstance(auth, dict):
        for k, v in auth.items():
            if isinstance(v, dict):
                register_secrets(v)
            elif k in SECRET_KEYS and isinstance(v, str):
                secrets.add(v)


def tls_failure(error: BaseException) -> str:
    """keystoneauth's ``SSLError`` (a page of urllib3 text) as one line: the URL, the
    reason, and the two settings that help."""
    text = str(error)
    m = re.search(r"connecting to (\S+?):? ", text)
    url = m.group(1) if m else "the cloud"
    reason = re.search(r"certificate verify failed:? ?([^'\")(]*)", text)
    why = f"certificate verify failed ({reason.group(1).strip()})" if reason and reason.group(1).strip() \
        else "certificate verify failed" if reason else "TLS handshake failed"
    return (f"{why} for {url}: set cacert (the CA that signed its certificate) in clouds.yaml, "
            "or insecure: true to skip verification")


def _quiet_insecure_warnings() -> None:
    """urllib3 warns on every unverified request; pybuild warns once per upload instead."""
    warnings.filterwarnings("ignore", message="Unverified HTTPS request")


def verifies_tls(conn: Any) -> bool:
    """False when the connection skips certificate verification (``insecure``)."""
    return conn.session.verify is not False


def identity(conn: Any) -> str:
    """``user 'u' (roles: a, b) in project 'p'``: who a token speaks for."""
    try:
        access = conn.session.auth.get_access(conn.session)
    except Exception:  # only an explanation: never hide the real error
        return "the authenticated user"
    roles = ", ".join(sorted(access.role_names or [])) or "none"
    return f"user {access.username!r} (roles: {roles}) in project {access.project_name!r}"


def connect(target: CloudTarget, *, auth_type: str = "", endpoint: str = "",
            insecure: bool = False) -> Any:
    """An ``openstack.connection.Connection`` for ``target``; authenticates eagerly so
    bad credentials fail here, with a clear message and nothing secret in it."""
    import openstack
    from keystoneauth1 import exceptions as ks_exc
    from openstack import exceptions as os_exc

    try:
        if auth_type == "none":
            if not endpoint:
                raise BuildError('auth_type "none" needs endpoint (the Glance URL)')
            conn = openstack.connect(auth_type="none", auth={"endpoint": endpoint},
                                     region_name=target.region or None, verify=not insecure,
                                     load_yaml_config=False, load_envvars=False)
        else:
            kw: dict[str, Any] = {}
            if target.cloud:
                kw["cloud"] = target.cloud
            if target.region:
                kw["region_name"] = target.region
            if auth_type:
                kw["auth_type"] = auth_type
            if endpoint:
                kw["auth_url"] = endpoint
            if insecure:
                kw["verify"] = False
            conn = openstack.connect(**kw)
        if not verifies_tls(conn):
            _quiet_insecure_warnings()
        register_secrets(conn.config.config.get("auth"))
        if auth_type != "none" and conn.config.config.get("auth_type") not in ("none", "noauth"):
            auth_url = (conn.config.config.get("auth") or {}).get("auth_url") or "no auth_url"
            target = CloudTarget(target.cloud or conn.config.name or "", target.region)
            _register_new_tokens(conn.session.auth)
            try:
                conn.session.get_token()
            except ks_exc.SSLError as e:
                raise BuildError(f"OpenStack cloud {target}: {tls_failure(e)}") from None
            except ks_exc.Unauthorized:
                # one line, no retry: the credentials are wrong, trying again cannot help
                raise BuildError(f"OpenStack cloud {target}: Keystone at {auth_url} refused the "
                                 "credentials (HTTP 401): check the password or application "
                                 "credential") from None
            _check_region(conn, target)
        _check_tls(conn, target)
    except BuildError:
        raise
    except (os_exc.SDKException, ks_exc.ClientException, KeyError, ValueError) as e:
        hint = ("set cloud (a clouds.yaml entry), OS_CLOUD, or the OS_* variables; "
                'for a Glance without Keystone: auth_type = "none" and endpoint')
        raise BuildError(f"cannot connect to OpenStack ({target}): "
                         f"{secrets.mask(str(e)) or type(e).__name__}\n{hint}") from None
    return conn


def _register_new_tokens(auth: Any) -> None:
    """Register every token the auth plugin obtains with :mod:`builder.secrets`: the first
    one and those keystoneauth fetches again when one is about to expire (mid-upload)."""
    real = auth.get_access

    def get_access(session: Any, **kw: Any) -> Any:
        access = real(session, **kw)
        if access.auth_token:
            secrets.add(access.auth_token)
        return access

    auth.get_access = get_access


def _check_tls(conn: Any, target: CloudTarget) -> None:
    """An HTTPS Glance whose certificate does not verify: say so now. (The SDK's version
    discovery swallows the TLS error and reports only "no supported versions".)"""
    from keystoneauth1 import exceptions as ks_exc

    if conn.config.config.get("auth_type") in ("none", "noauth"):
        url = (conn.config.config.get("auth") or {}).get("endpoint") or ""
    else:
        url = conn.session.get_endpoint(service_type="image",
                                        interface=conn.config.get_interface("image"),
                                        region_name=conn.config.get_region_name("image")) or ""
    if not url.startswith("https://"):
        return
    try:
        conn.session.get(url, authenticated=False, raise_exc=False, connect_retries=0)
    except ks_exc.SSLError as e:
        raise BuildError(f"OpenStack cloud {target}: Glance: {tls_failure(e)}") from None


def _check_region(conn: Any, target: CloudTarget) -> None:
    """Fail now, naming the catalog's regions, if the image service has no endpoint in the
    chosen region (the SDK would only fail at the first Glance call, less clearly)."""
    region = conn.config.get_region_name("image") or ""
    if not region:
        return
    catalog = conn.session.auth.get_access(conn.session).service_catalog.catalog or []
    regions = sorted({ep.get("region_id") or ep.get("region") or ""
                      for svc in catalog if svc.get("type") == "image"
                      for ep in svc.get("endpoints", [])} - {""})
    if region not in regions:
        have = ", ".join(regions) or "none"
        raise BuildError(f"OpenStack cloud {target}: no image service (Glance) in region "
                         f"{region!r}; the catalog has it in: {have}")

"""nats-server configuration of a node, generated from the organisation and the agency agreements (pure).

Every node runs one nats-server with its own JetStream domain (u<UNIT>) and one account, HQ, holding:
- node_<UNIT>: the haiquan process; it may publish only the event subjects of the units it serves;
- leaf_<CHILD> (on a parent): the leaf connection of a child node; it may not inject events, reference data
  or agency feeds into the parent, nor create, change or delete the parent's streams;
- agency_<CODE> (where agreements are held): reads its own feed stream AG_<CODE> and nothing else.
Credentials: derived from the shared HAIQUAN_SECRET_KEY by default (the first setups' way, kept working); with
a credentials directory (sharing/credentials), nkeys for node and agency users and bcrypt-hashed random
passwords for leaf links, none derivable from another node's secrets. With TLS files (sharing/tlsgen), the
client and leaf listeners require TLS, the leaf listener verifies its children's certificates and a child's
leaf connection verifies its parent's (decision 0040).
Checked against nats-server 2.9.10 (`nats-server -t -c FILE`)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from haiquan.sharing.credentials import Credentials
from haiquan.sharing.domain import (
    AGENCY_PREFIX,
    REF_PREFIX,
    WORK_PREFIX,
    NodeLayout,
    agency_stream,
    domain_of,
    unit_subjects,
)
from haiquan.sharing.tlsgen import TlsFiles

ACCOUNT = "HQ"


def password_for(secret: str, user: str) -> str:
    """Derived, so that a parent's and a child's configurations, generated apart, agree."""
    return hmac.new(secret.encode(), f"nats:{user}".encode(), hashlib.sha256).hexdigest()[:32]


def node_user(unit: str) -> str:
    return f"node_{unit}"


def leaf_user(unit: str) -> str:
    return f"leaf_{unit}"


def agency_user(agency: str) -> str:
    return f"agency_{agency}"


def client_url(host: str, port: int, user: str, secret: str) -> str:
    return f"nats://{user}:{password_for(secret, user)}@{host}:{port}"


@dataclass(frozen=True)
class Permissions:
    pub_allow: tuple[str, ...] = ()
    pub_deny: tuple[str, ...] = ()
    sub_allow: tuple[str, ...] = ()
    sub_deny: tuple[str, ...] = ()

    def render(self) -> dict[str, dict[str, list[str]]]:
        out: dict[str, dict[str, list[str]]] = {"publish": {}, "subscribe": {}}
        for key, allow, deny in (
            ("publish", self.pub_allow, self.pub_deny),
            ("subscribe", self.sub_allow, self.sub_deny),
        ):
            if allow:
                out[key]["allow"] = list(allow)
            if deny:
                out[key]["deny"] = list(deny)
        return {k: v for k, v in out.items() if v}


def node_permissions(layout: NodeLayout, *, agencies: Iterable[str]) -> Permissions:
    pub = [*unit_subjects(layout.own_units), "$JS.API.>", "$JS.ACK.>", "$JS.FC.>"]
    if layout.parent is None:
        pub.append(f"{REF_PREFIX}.>")  # reference data enters the federation at the top only
    pub += [f"{AGENCY_PREFIX}.{a}.>" for a in sorted(set(agencies))]
    pub += work_subjects(layout)
    return Permissions(pub_allow=tuple(pub), sub_allow=("_INBOX.>",))


def work_subjects(layout: NodeLayout) -> list[str]:
    """The work subjects a node may publish: on a parent, one per child node; a leaf none."""
    return [f"{WORK_PREFIX}.{layout.unit}.{c}.>" for c in layout.children]


def leaf_permissions(parent_unit: str) -> Permissions:
    """What a child's leaf connection may send into its parent and receive from it."""
    api = f"$JS.{domain_of(parent_unit)}.API"
    return Permissions(
        pub_deny=(
            "hq.ev.>",
            f"{REF_PREFIX}.>",
            f"{AGENCY_PREFIX}.>",
            f"{WORK_PREFIX}.>",  # a child may not inject work
            "$JS.API.>",
            f"{api}.STREAM.CREATE.>",
            f"{api}.STREAM.UPDATE.>",
            f"{api}.STREAM.DELETE.>",
            f"{api}.STREAM.PURGE.>",
            f"{api}.STREAM.MSG.DELETE.>",
        ),
        sub_deny=("hq.ev.>", f"{AGENCY_PREFIX}.>", f"{WORK_PREFIX}.>"),
    )


def agency_permissions(agency: str) -> Permissions:
    stream = agency_stream(agency)
    return Permissions(
        pub_allow=(
            f"$JS.API.CONSUMER.CREATE.{stream}",
            f"$JS.API.CONSUMER.CREATE.{stream}.>",
            f"$JS.API.CONSUMER.DURABLE.CREATE.{stream}.>",
            f"$JS.API.CONSUMER.INFO.{stream}.>",
            f"$JS.API.CONSUMER.MSG.NEXT.{stream}.>",
            f"$JS.API.STREAM.INFO.{stream}",
            f"$JS.ACK.{stream}.>",
        ),
        sub_allow=("_INBOX.>", f"{AGENCY_PREFIX}.{agency}.>"),
    )


@dataclass
class NodeConfig:
    layout: NodeLayout
    secret: str
    host: str = "127.0.0.1"
    port: int = 4222
    leaf_port: int | None = None  # where children connect (a parent node)
    parent_url: str | None = None  # host:port of the parent's leaf listener (a child node)
    store_dir: str = "var/nats"
    agencies: list[str] = field(default_factory=list)
    http_port: int | None = None

    credentials: Credentials | None = None  # None: passwords derived from the shared secret
    tls: TlsFiles | None = None
    verify_clients: bool = False  # the client listener also asks for a certificate signed by the CA

    def users(self) -> list[dict[str, object]]:
        unit = self.layout.unit
        rows: list[tuple[str, Permissions]] = [
            (node_user(unit), node_permissions(self.layout, agencies=self.agencies))
        ]
        rows += [(leaf_user(c), leaf_permissions(unit)) for c in self.layout.children]
        rows += [(agency_user(a), agency_permissions(a)) for a in sorted(set(self.agencies))]
        return [{**self._credential(user), "permissions": perms.render()} for user, perms in rows]

    def _credential(self, user: str) -> dict[str, str]:
        if self.credentials is None:
            return {"user": user, "password": password_for(self.secret, user)}
        if user.startswith("leaf_"):
            return {"user": user, "password": self.credentials.leaf_hash(user)}
        return {"nkey": self.credentials.public_nkey(user)}

    def _tls_block(self, *, verify: bool, timeout: float = 2) -> dict[str, object]:
        assert self.tls is not None
        return {
            "cert_file": str(self.tls.cert_file),
            "key_file": str(self.tls.key_file),
            "ca_file": str(self.tls.ca_file),
            "verify": verify,
            "timeout": timeout,
        }

    def _leaf_url(self) -> str:
        assert self.parent_url is not None
        user = leaf_user(self.layout.unit)
        if self.credentials is None:
            password = password_for(self.secret, user)
        else:
            password = self.credentials.leaf_password(user)
        return f"nats-leaf://{user}:{password}@{self.parent_url}"

    def render(self) -> str:
        unit = self.layout.unit
        lines = [
            f"# nats-server configuration of haiquan node {unit} (generated: haiquan sharing nats-config)",
            f"server_name: {json.dumps('hq-' + unit)}",
            f"listen: {json.dumps(f'{self.host}:{self.port}')}",
        ]
        if self.tls is not None:
            lines.append("tls " + json.dumps(self._tls_block(verify=self.verify_clients), indent=2))
        if self.http_port:
            lines.append(f"http: {json.dumps(f'{self.host}:{self.http_port}')}")
        lines.append(
            f"jetstream {{ domain: {json.dumps(domain_of(unit))}, store_dir: {json.dumps(self.store_dir)} }}"
        )
        account = {ACCOUNT: {"jetstream": "enabled", "users": self.users()}}
        lines.append("accounts " + json.dumps(account, indent=2))
        leaf: dict[str, object] = {}
        if self.layout.children and self.leaf_port:
            leaf["listen"] = f"{self.host}:{self.leaf_port}"
            if self.tls is not None:  # a child shows a certificate of the federation's CA
                leaf["tls"] = self._tls_block(verify=True)
        if self.parent_url:
            remote: dict[str, object] = {"url": self._leaf_url(), "account": ACCOUNT}
            if self.tls is not None:  # the parent's certificate is checked against the CA
                remote["tls"] = {k: v for k, v in self._tls_block(verify=True).items() if k != "verify"}
            leaf["remotes"] = [remote]
            leaf["reconnect"] = 1  # seconds between attempts to reach the parent
        if leaf:
            lines.append("leafnodes " + json.dumps(leaf, indent=2))
        return "\n".join(lines).replace('"enabled"', "enabled") + "\n"

    def app_url(self) -> str:
        """HAIQUAN_NATS_URL: with a credentials directory the URL carries no secret (the seed file does)."""
        if self.credentials is None and self.tls is None:
            return client_url(self.host, self.port, node_user(self.layout.unit), self.secret)
        scheme = "tls" if self.tls is not None else "nats"
        if self.credentials is None:
            user = node_user(self.layout.unit)
            return f"{scheme}://{user}:{password_for(self.secret, user)}@{self.host}:{self.port}"
        return f"{scheme}://{self.host}:{self.port}"

    def app_env(self) -> dict[str, str]:
        """The settings of the haiquan process that connects to this server."""
        env = {"HAIQUAN_NATS_URL": self.app_url()}
        if self.credentials is not None:
            env["HAIQUAN_NATS_NKEY_FILE"] = str(self.credentials.seed_file(node_user(self.layout.unit)))
        if self.tls is not None:
            env["HAIQUAN_NATS_CA_FILE"] = str(self.tls.ca_file)
            if self.verify_clients:
                env["HAIQUAN_NATS_CERT_FILE"] = str(self.tls.cert_file)
                env["HAIQUAN_NATS_KEY_FILE"] = str(self.tls.key_file)
        return env


def hub_configs(layouts: tuple[NodeLayout, ...], base: NodeConfig) -> list[NodeConfig]:
    """A regional hub: a nats-server per served department, on consecutive ports from the base's, each with
    its own store directory, JetStream domain, users and leaf listener; the agencies' feeds (and users) on the
    first department's server only (decision 0040). One layout: the base itself."""
    if len(layouts) == 1:
        return [replace(base, layout=layouts[0])]
    out = []
    for i, layout in enumerate(layouts):
        out.append(
            replace(
                base,
                layout=layout,
                port=base.port + i,
                leaf_port=base.leaf_port + i if base.leaf_port and layout.children else None,
                http_port=base.http_port + i if base.http_port else None,
                store_dir=str(Path(base.store_dir) / layout.unit),
                agencies=base.agencies
                if i == 0
                else [],  # the feeds go through the first department's server
            )
        )
    return out


def hub_app_env(configs: list[NodeConfig]) -> dict[str, str]:
    """The haiquan process's settings for the servers of a hub: HAIQUAN_NATS_URL as `UNIT=URL` pairs
    separated by spaces, the seed file with `{unit}` where the department's unit goes."""
    if len(configs) == 1:
        return configs[0].app_env()
    env = configs[0].app_env()
    env["HAIQUAN_NATS_URL"] = " ".join(f"{c.layout.unit}={c.app_url()}" for c in configs)
    if "HAIQUAN_NATS_NKEY_FILE" in env:
        env["HAIQUAN_NATS_NKEY_FILE"] = env["HAIQUAN_NATS_NKEY_FILE"].replace(
            node_user(configs[0].layout.unit), node_user("{unit}")
        )
    return env

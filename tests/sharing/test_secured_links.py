"""Per-node credentials and TLS in the generated nats-server configuration (decision 0040): nkeys, bcrypt
hashes, a CA and node certificates; every configuration checked by `nats-server -t`."""

from __future__ import annotations

import json
import re
import stat
import subprocess
from pathlib import Path

import bcrypt
import nkeys
import pytest
from cryptography import x509
from typer.testing import CliRunner

from haiquan.organization.domain import UnitTree
from haiquan.sharing import credentials as cr
from haiquan.sharing.credentials import CredentialError, Credentials
from haiquan.sharing.domain import NodeLayout
from haiquan.sharing.natsconf import NodeConfig, password_for
from haiquan.sharing.tlsgen import TlsFiles, ensure_ca, issue_node
from tests.services import nats_server
from tests.support import UNITS

TREE = UnitTree.build(UNITS)
SECRET = "s" * 40


def test_nkey_seed_and_public_key_are_what_the_nkeys_package_reads() -> None:
    seed = cr.new_user_seed()
    assert seed.startswith("SU")
    assert len(seed) == 58
    kp = nkeys.from_seed(bytearray(seed.encode()))
    assert kp.public_key.decode() == cr.public_key(seed)
    assert cr.public_key(seed).startswith("U")
    with pytest.raises(CredentialError):
        cr.public_key(seed[:30] + ("A" if seed[30] != "A" else "B") + seed[31:])  # a checksum that fails


def test_credentials_are_random_private_and_kept(tmp_path: Path) -> None:
    a, b = Credentials(tmp_path / "a"), Credentials(tmp_path / "b")
    seed_a, _ = a.ensure_nkey("node_01")
    seed_b, _ = b.ensure_nkey("node_01")
    assert seed_a.read_text() != seed_b.read_text()  # nothing derived from a shared secret
    assert stat.S_IMODE(seed_a.stat().st_mode) == 0o600
    assert a.ensure_nkey("node_01") == (seed_a, False)
    before = a.public_nkey("node_01")
    a.ensure_nkey("node_01", rotate=True)
    assert a.public_nkey("node_01") != before
    pw, made = a.ensure_leaf_password("leaf_01AB")
    assert made
    assert stat.S_IMODE(pw.stat().st_mode) == 0o600
    hashed = a.leaf_hash("leaf_01AB")
    assert hashed.startswith("$2a$")
    assert bcrypt.checkpw(pw.read_text().strip().encode(), hashed.encode())
    with pytest.raises(CredentialError, match=r"leaf_01TE\.bcrypt is missing"):
        a.leaf_hash("leaf_01TE")


def test_ca_and_node_certificates(tmp_path: Path) -> None:
    ensure_ca(tmp_path)
    files, _ = issue_node(tmp_path, "01AB", ["127.0.0.1", "node.example"])
    cert = x509.load_pem_x509_certificate(files.cert_file.read_bytes())
    ca = x509.load_pem_x509_certificate(files.ca_file.read_bytes())
    cert.verify_directly_issued_by(ca)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "node.example" in san.get_values_for_type(x509.DNSName)
    assert stat.S_IMODE(files.key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "ca-key.pem").stat().st_mode) == 0o600


def secured_pair(tmp_path: Path, *, verify_clients: bool = False) -> tuple[NodeConfig, NodeConfig]:
    parent_dir, child_dir, tls_dir = tmp_path / "c01", tmp_path / "c01AB", tmp_path / "tls"
    parent, child = Credentials(parent_dir), Credentials(child_dir)
    parent.ensure_nkey("node_01")
    parent.ensure_nkey("agency_BDBP")
    handed, _ = parent.ensure_leaf_password("leaf_01AB")
    child.ensure_nkey("node_01AB")
    (child_dir / "leaf_01AB.pass").write_text(handed.read_text())
    ensure_ca(tls_dir)
    for unit in ("01", "01AB"):
        issue_node(tls_dir, unit, ["127.0.0.1"])
    dept = NodeConfig(
        layout=NodeLayout.build(TREE, "01", parent=None, children=["01AB"]),
        secret=SECRET,
        port=4333,
        leaf_port=7433,
        store_dir=str(tmp_path / "js01"),
        agencies=["BDBP"],
        credentials=parent,
        tls=TlsFiles.in_dir(tls_dir, "01"),
        verify_clients=verify_clients,
    )
    sub = NodeConfig(
        layout=NodeLayout.build(TREE, "01AB", parent="01", children=[]),
        secret=SECRET,
        port=4334,
        parent_url="127.0.0.1:7433",
        store_dir=str(tmp_path / "js01AB"),
        credentials=child,
        tls=TlsFiles.in_dir(tls_dir, "01AB"),
    )
    return dept, sub


def check(tmp_path: Path, name: str, text: str) -> None:
    conf = tmp_path / f"{name}.conf"
    conf.write_text(text)
    res = subprocess.run([nats_server(), "-t", "-c", str(conf)], capture_output=True, text=True, timeout=20)
    assert res.returncode == 0, res.stderr + res.stdout


@pytest.mark.parametrize("verify_clients", [False, True])
def test_secured_configs_hold_no_shared_secret_and_pass_nats_server(
    tmp_path: Path, verify_clients: bool
) -> None:
    dept, sub = secured_pair(tmp_path, verify_clients=verify_clients)
    text, child_text = dept.render(), sub.render()
    for user in ("node_01", "leaf_01AB", "agency_BDBP"):
        assert password_for(SECRET, user) not in text + child_text
    assert dept.credentials is not None
    assert sub.credentials is not None
    assert dept.credentials.public_nkey("node_01") in text
    assert dept.credentials.public_nkey("agency_BDBP") in text
    assert not re.search(r"SU[A-Z2-7]{56}", text + child_text)  # no seed in a server's configuration
    assert dept.credentials.leaf_hash("leaf_01AB") in text
    assert sub.credentials.leaf_password("leaf_01AB") in child_text  # the child's own secret, in its file
    assert f'"verify": {json.dumps(verify_clients)}' in text.split("jetstream")[0]
    leaf_block = text.split("leafnodes", 1)[1]
    assert '"verify": true' in leaf_block
    assert str(dept.tls.ca_file if dept.tls else "") in leaf_block
    assert '"ca_file"' in child_text.split("remotes", 1)[1]
    assert dept.app_url() == "tls://127.0.0.1:4333"
    assert sub.app_url() == "tls://127.0.0.1:4334"
    env = sub.app_env()
    assert env["HAIQUAN_NATS_NKEY_FILE"].endswith("node_01AB.nk")
    assert env["HAIQUAN_NATS_CA_FILE"].endswith("ca.pem")
    assert ("HAIQUAN_NATS_CERT_FILE" in dept.app_env()) is verify_clients
    check(tmp_path, "dept", text)
    check(tmp_path, "sub", child_text)


def test_derived_passwords_still_work_without_a_credentials_directory(tmp_path: Path) -> None:
    layout = NodeLayout.build(TREE, "01AB", parent="01", children=[])
    cfg = NodeConfig(layout=layout, secret=SECRET, parent_url="127.0.0.1:7433")
    assert password_for(SECRET, "leaf_01AB") in cfg.render()
    assert cfg.app_url() == f"nats://node_01AB:{password_for(SECRET, 'node_01AB')}@127.0.0.1:4222"
    assert cfg.app_env() == {"HAIQUAN_NATS_URL": cfg.app_url()}


def test_cli_generates_credentials_and_certificates(tmp_path: Path) -> None:
    from haiquan.sharing.cli import sharing_app

    runner = CliRunner()
    res = runner.invoke(
        sharing_app,
        [
            "credentials",
            "--unit",
            "01",
            "--dir",
            str(tmp_path / "c"),
            "--children",
            "01AB,01TE",
            "--agencies",
            "bdbp",
        ],
    )
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in (tmp_path / "c").iterdir())
    assert names == [
        "agency_BDBP.nk",
        "agency_BDBP.pub",
        "leaf_01AB.bcrypt",
        "leaf_01AB.pass",
        "leaf_01TE.bcrypt",
        "leaf_01TE.pass",
        "node_01.nk",
        "node_01.pub",
    ]
    res = runner.invoke(sharing_app, ["tls", "--dir", str(tmp_path / "t"), "--nodes", "01,01AB"])
    assert res.exit_code == 0, res.output
    assert {"ca.pem", "ca-key.pem", "01.pem", "01-key.pem", "01AB.pem", "01AB-key.pem"} == {
        p.name for p in (tmp_path / "t").iterdir()
    }

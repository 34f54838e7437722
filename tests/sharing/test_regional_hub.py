"""A regional hub (decision 0040): one node serving sibling departments, each kept apart as a node of its own
(its nats-server, JetStream domain, streams, users and child nodes)."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from haiquan.kit.db import Database
from haiquan.organization.domain import UnitTree
from haiquan.sharing.connect import node_urls
from haiquan.sharing.credentials import Credentials
from haiquan.sharing.domain import NodeLayout, hub_layouts, hub_units
from haiquan.sharing.natsconf import NodeConfig, hub_app_env, hub_configs
from tests.services import nats_server
from tests.support import UNITS

TREE = UnitTree.build(UNITS)


def test_a_hub_is_a_layout_per_department_with_its_own_children() -> None:
    hub = hub_layouts(TREE, hub_units("01, 03"), parent="00", children=["01AB", "03CC", "01TE"])
    assert [lay.unit for lay in hub] == ["01", "03"]
    assert hub[0].children == ("01AB", "01TE")
    assert hub[1].children == ("03CC",)
    assert "01B1" not in hub[0].own_units  # 01AB's node serves it
    assert hub[0].own_units.isdisjoint(hub[1].subtree)
    assert all(lay.parent == "00" for lay in hub)
    one = hub_layouts(TREE, ["01AB"], parent="01", children=[])
    assert one == (NodeLayout.build(TREE, "01AB", parent="01", children=[]),)


@pytest.mark.parametrize(
    ("units", "children", "message"),
    [
        (["01", "01AB"], [], "siblings"),
        (["01", "03"], ["01"], "is not below"),
        (["01", "03"], ["00"], "is not below"),
        (["01", "99"], [], "unknown unit 99"),
        ([], [], "name the unit"),
    ],
)
def test_a_hub_serves_sibling_departments_only(units: list[str], children: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        hub_layouts(TREE, units, parent="00", children=children)


def test_hub_configs_are_a_server_per_department_and_pass_nats_server(tmp_path: Path) -> None:
    creds = Credentials(tmp_path / "creds")
    for user in ("node_01", "node_03", "agency_BDBP"):
        creds.ensure_nkey(user)
    for child in ("01AB", "03CC"):
        creds.ensure_leaf_password(f"leaf_{child}")
    for dept in ("01", "03"):
        (tmp_path / "creds" / f"leaf_{dept}.pass").write_text("issued-by-the-general-department\n")
    layouts = hub_layouts(TREE, ["01", "03"], parent="00", children=["01AB", "03CC"])
    base = NodeConfig(
        layout=layouts[0],
        secret="s" * 40,
        port=4301,
        leaf_port=7401,
        parent_url="127.0.0.1:7400",
        store_dir=str(tmp_path / "js"),
        credentials=creds,
        agencies=["BDBP"],
    )
    configs = hub_configs(layouts, base)
    assert [(c.layout.unit, c.port, c.leaf_port) for c in configs] == [("01", 4301, 7401), ("03", 4302, 7402)]
    texts = [c.render() for c in configs]
    assert '"hq-01"' in texts[0]
    assert 'domain: "u03"' in texts[1]
    assert "leaf_03CC" in texts[1]
    assert "leaf_03CC" not in texts[0]  # a department's children sign in to its own server only
    assert creds.public_nkey("node_01") not in texts[1]
    assert '"hq.ev.03.03.>"' in texts[1]
    assert '"hq.ev.03.' not in texts[0]
    assert "AG_BDBP" in texts[0]  # the agencies' feeds go through the first department's server only
    assert "AG_BDBP" not in texts[1]
    for c, text in zip(configs, texts, strict=True):
        conf = tmp_path / f"nats-{c.layout.unit}.conf"
        conf.write_text(text)
        res = subprocess.run(
            [nats_server(), "-t", "-c", str(conf)], capture_output=True, text=True, timeout=20
        )
        assert res.returncode == 0, res.stderr + res.stdout
    env = hub_app_env(configs)
    assert env["HAIQUAN_NATS_URL"] == "01=nats://127.0.0.1:4301 03=nats://127.0.0.1:4302"
    assert env["HAIQUAN_NATS_NKEY_FILE"].endswith("node_{unit}.nk")
    assert node_urls(env["HAIQUAN_NATS_URL"], ["01", "03"]) == {
        "01": "nats://127.0.0.1:4301",
        "03": "nats://127.0.0.1:4302",
    }
    single = hub_configs(layouts[:1], replace(base, port=4222))
    assert single[0].port == 4222


def test_node_urls() -> None:
    assert node_urls("nats://u:p@h:4222", ["01"]) == {"01": "nats://u:p@h:4222"}
    assert node_urls("nats://a:1,nats://b:2", ["01"]) == {"01": "nats://a:1,nats://b:2"}  # a server pool
    for bad, units in (
        ("nats://h:1", ["01", "03"]),
        ("01=nats://h:1", ["01", "03"]),
        ("01=a 03=b 04=c", ["01", "03"]),
    ):
        with pytest.raises(ValueError, match="HAIQUAN_NATS_URL"):
            node_urls(bad, units)


def test_nats_config_writes_a_hub_directory_with_credentials_and_tls(
    cli_db: Database, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from haiquan import cli
    from tests.sharing.test_service_api import seed

    seed(cli_db)
    runner = CliRunner()
    creds, tls, out = tmp_path / "creds", tmp_path / "tls", tmp_path / "hub"
    steps = [
        ["sharing", "credentials", "--unit", "01,03", "--dir", str(creds), "--children", "01AB,03CC"],
        ["sharing", "tls", "--dir", str(tls), "--nodes", "01,03"],
    ]
    for args in steps:
        result = runner.invoke(cli.app, args)
        assert result.exit_code == 0, result.output
    for dept in ("01", "03"):  # as the General Department's operator hands them over
        (creds / f"leaf_{dept}.pass").write_text("issued-by-the-general-department\n")
    args = ["sharing", "nats-config", "--unit", "01,03", "--parent", "00", "--parent-leaf", "127.0.0.1:7400"]
    args += ["--children", "01AB,03CC", "--port", "4301", "--leaf-port", "7401"]
    args += ["--credentials", str(creds), "--tls", str(tls)]
    result = runner.invoke(cli.app, [*args, "--agencies", "BDBP"])
    assert result.exit_code == 2, result.output
    assert "--out DIR" in result.output
    missing = runner.invoke(cli.app, [*args, "--agencies", "BDBP", "--out", str(out)])
    assert missing.exit_code == 2, missing.output
    assert "agency_BDBP" in missing.output  # its key was never made: said, not a traceback
    result = runner.invoke(cli.app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["nats-01.conf", "nats-03.conf"]
    assert "01=tls://127.0.0.1:4301 03=tls://127.0.0.1:4302" in result.output
    for conf in out.iterdir():
        res = subprocess.run(
            [nats_server(), "-t", "-c", str(conf)], capture_output=True, text=True, timeout=20
        )
        assert res.returncode == 0, res.stderr + res.stdout

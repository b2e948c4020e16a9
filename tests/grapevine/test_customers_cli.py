"""`grapevine customers import` reads a CRM export; a bad file is one clear line."""

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlmodel import Session

from grapevine.cli import cli
from grapevine.customers import CustomerFileError, read_customers
from storage import make_engine, upgrade
from storage.models import Customer

HEADER = "id,name,email,phone,twitter,reddit,tier,lifetime_value,orders,city\n"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "grapevine.toml"
    path.write_text(
        '[brand]\nname = "Acme"\nterms = ["Acme"]\n\n[database]\nurl = "sqlite:///g.db"\n',
        encoding="utf-8",
    )
    upgrade(make_engine(f"sqlite:///{tmp_path / 'g.db'}"))
    return path


def run(config: Path, *args: str):  # noqa: ANN201
    return CliRunner().invoke(cli, ["customers", *args, "--config", str(config)])


def test_import_then_update(config: Path, tmp_path: Path) -> None:
    crm = tmp_path / "crm.csv"
    crm.write_text(
        HEADER + "C-1,Maria Lopez,Maria@Example.com,+44 7700 900101,@marial,,gold,"
        '"1,840.50",LW-1;LW-2,London\n' + "C-2,Ben Carter,,,,bencarter,,,,\n",
        encoding="utf-8",
    )
    result = run(config, "import", str(crm))
    assert result.exit_code == 0, result.output
    assert "2 customers (2 new, 0 updated)" in result.output
    crm.write_text(HEADER + "C-1,Maria Lopez,maria@example.com,,,,vip,2000,,Leeds\n")
    result = run(config, "import", str(crm))
    assert "1 customers (0 new, 1 updated)" in result.output
    with Session(make_engine(f"sqlite:///{tmp_path / 'g.db'}")) as session:
        maria, ben = session.exec(select(Customer).order_by(Customer.external_id)).scalars()
    assert (maria.tier, maria.lifetime_value, maria.extra) == ("vip", 2000.0, {"city": "Leeds"})
    assert ben.handles == {"reddit": "bencarter"}


def test_columns_are_understood(tmp_path: Path) -> None:
    crm = tmp_path / "crm.csv"
    crm.write_text(
        "Customer_ID,Name,X,Mastodon_Handle,LTV,Orders,Segment\n"
        "7,Ana Ruiz,@anaruiz,@ana@mastodon.social,£99,A-1 A-2,retail\n",
        encoding="utf-8",
    )
    [row] = read_customers(crm)
    assert row["external_id"] == "7" and row["lifetime_value"] == 99.0
    assert row["handles"] == {"twitter": "@anaruiz", "mastodon": "@ana@mastodon.social"}
    assert row["orders"] == ["A-1", "A-2"] and row["extra"] == {"segment": "retail"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (HEADER + "C-1,Maria,,,,,,lots,,\n", "row 2, column lifetime_value: expected a number"),
        (HEADER + "C-1,Maria,not-an-email,,,,,,,\n", "row 2, column email: expected an email"),
        (HEADER + ",Maria,,,,,,,,\n", "row 2, column id: expected a customer id"),
        ("name,email\nMaria,m@example.com\n", "no id column"),
        ("", "the file is empty"),
        (HEADER + "C-1,a,,,,,,,,,x,y\n", "row 2: 12 values for 10 columns"),
    ],
)
def test_a_bad_file_is_one_line_naming_row_and_column(
    config: Path, tmp_path: Path, content: str, message: str
) -> None:
    crm = tmp_path / "crm.csv"
    crm.write_text(content, encoding="utf-8")
    result = run(config, "import", str(crm))
    assert result.exit_code == 1
    assert message in result.output and str(crm) in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_missing_and_binary_files(config: Path, tmp_path: Path) -> None:
    result = run(config, "import", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1 and "cannot read the file" in result.output
    binary = tmp_path / "crm.csv"
    binary.write_bytes(b"id,name\n1,\xff\xfe\n")
    with pytest.raises(CustomerFileError, match="not UTF-8"):
        read_customers(binary)


def test_link_command(config: Path, tmp_path: Path) -> None:
    result = run(config, "link")
    assert result.exit_code == 0 and "0 mentions matched" in result.output

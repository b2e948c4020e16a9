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
        (HEADER + "C-1,Maria,,,,,,lots,,\n", "line 2, column lifetime_value: expected a number"),
        (HEADER + "C-1,Maria,not-an-email,,,,,,,\n", "line 2, column email: expected an email"),
        (HEADER + ",Maria,,,,,,,,\n", "line 2, column id: expected a customer id"),
        ("name,email\nMaria,m@example.com\n", "no id column"),
        ("", "the file is empty"),
        (HEADER + "C-1,a,,,,,,,,,x,y\n", "line 2: 12 values for 10 columns"),
    ],
)
def test_a_bad_file_is_one_line_naming_line_and_column(
    config: Path, tmp_path: Path, content: str, message: str
) -> None:
    crm = tmp_path / "crm.csv"
    crm.write_text(content, encoding="utf-8")
    result = run(config, "import", str(crm))
    assert result.exit_code == 2
    assert message in result.output and str(crm) in result.output
    assert result.output.startswith("error: ")
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


GOOD = "C-1,Maria Lopez,maria@example.com,,,,,,,\n"


def customer_ids(tmp_path: Path) -> list[str]:
    with Session(make_engine(f"sqlite:///{tmp_path / 'g.db'}")) as session:
        return [c.external_id for c in session.exec(select(Customer)).scalars()]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # the quote on line 3 would swallow the rest of the file into one name
        (
            GOOD + 'C-2,"Ben Carter,,,,,,,,\nC-3,Ana,,,,,,,,\nC-4,Sam,,,,,,,,\n',
            "line 3: a quote opened here is never closed",
        ),
        (GOOD + 'C-2,"Ben" Carter,,,,,,,,\n', "line 3: text after a closing quote"),
        (GOOD + "C-2,Ben,,,,,,,,,,\n", "line 3: 12 values for 10 columns"),
        (GOOD + "C-2,Ben\x00,,,,,,,,\n", "line 3: a NUL byte"),
        (GOOD + "C-2," + "x" * 70_000 + ",,,,,,,,\n", "line 3: a cell longer than 65,536"),
    ],
)
def test_a_broken_csv_imports_nothing(
    config: Path, tmp_path: Path, body: str, message: str
) -> None:
    crm = tmp_path / "crm.csv"
    crm.write_text(HEADER + body, encoding="utf-8")
    result = run(config, "import", str(crm))
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {crm}: {message}")
    assert len(result.output.strip().splitlines()) == 1
    assert customer_ids(tmp_path) == []  # not even line 2, which was fine


def test_an_undecodable_byte_names_its_line(config: Path, tmp_path: Path) -> None:
    crm = tmp_path / "crm.csv"
    crm.write_bytes((HEADER + GOOD).encode() + b"C-2,Mar\xeda,,,,,,,,\n")
    result = run(config, "import", str(crm))
    assert result.exit_code == 2
    assert f"error: {crm}: line 3: byte 0xed at column 8 is not UTF-8" in result.output
    assert customer_ids(tmp_path) == []


def test_a_quoted_newline_is_fine_and_lines_count_physically(tmp_path: Path) -> None:
    crm = tmp_path / "crm.csv"
    crm.write_text(
        HEADER + 'C-1,"Maria\nLopez",,,,,,,,\nC-2,Ben,bad-email,,,,,,,\n', encoding="utf-8"
    )
    with pytest.raises(CustomerFileError, match="line 4, column email"):
        read_customers(crm)


def test_formula_cells_are_kept_as_text(config: Path, tmp_path: Path) -> None:
    crm = tmp_path / "crm.csv"
    formula = '=HYPERLINK("http://evil.example","x")'
    crm.write_text(
        HEADER + f'C-1,"{formula.replace(chr(34), chr(34) * 2)}",,,,,@cmd,,,+1+1\n',
        encoding="utf-8",
    )
    assert run(config, "import", str(crm)).exit_code == 0
    with Session(make_engine(f"sqlite:///{tmp_path / 'g.db'}")) as session:
        [customer] = session.exec(select(Customer)).scalars()
    assert (customer.name, customer.tier, customer.extra) == (formula, "@cmd", {"city": "+1+1"})


def test_a_file_over_the_size_bound_is_refused(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import grapevine.customers

    monkeypatch.setattr(grapevine.customers, "MAX_FILE_BYTES", 1024)
    crm = tmp_path / "crm.csv"
    crm.write_text(HEADER + GOOD * 40, encoding="utf-8")
    result = run(config, "import", str(crm))
    assert result.exit_code == 2 and "MiB an import may be" in result.output


def test_missing_and_binary_files(config: Path, tmp_path: Path) -> None:
    result = run(config, "import", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2 and "cannot read the file" in result.output
    binary = tmp_path / "crm.csv"
    binary.write_bytes(b"id,name\n1,\xff\xfe\n")
    with pytest.raises(CustomerFileError, match="line 2: byte 0xff .* not UTF-8"):
        read_customers(binary)


def test_link_command(config: Path, tmp_path: Path) -> None:
    result = run(config, "link")
    assert result.exit_code == 0 and "0 mentions matched" in result.output


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_spreadsheet_line_ending(tmp_path: Path, newline: str) -> None:
    crm = tmp_path / "crm.csv"
    text = 'id,name,email\nC-1,"Maria\nLopez",m@example.com\nC-2,Ben,bad\n'
    crm.write_bytes(text.replace("\n", newline).encode())
    with pytest.raises(CustomerFileError, match="line 4, column email"):
        read_customers(crm)
    crm.write_bytes(text.replace(",bad", ",b@example.com").replace("\n", newline).encode())
    assert [c["name"] for c in read_customers(crm)] == [f"Maria{newline}Lopez", "Ben"]

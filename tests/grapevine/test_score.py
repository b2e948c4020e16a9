"""`grapevine score` reads JSONL or CSV on stdin and writes one result per input."""

import csv
import io
import json

from click.testing import CliRunner

from grapevine.cli import cli


def test_jsonl_in_and_out() -> None:
    lines = [
        {"id": 1, "text": "Still waiting for my refund, 3 weeks now"},
        {"id": "b", "text": "Lovely coffee, thank you!", "rating": 5},
    ]
    stdin = "\n".join(json.dumps(x) for x in lines) + "\nnot json\n"
    result = CliRunner().invoke(cli, ["score"], input=stdin)
    assert result.exit_code == 0
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, "b"]
    assert out[0]["complaint"] is True and out[0]["label"] == "negative"
    assert out[1]["label"] == "positive" and out[1]["complaint"] is False
    assert {"sentiment", "label", "complaint", "aspects"} <= set(out[0])
    assert "line 3" in result.stderr


def test_csv_keeps_columns_and_adds_results() -> None:
    stdin = 'review,stars\n"My parcel never arrived",1\nGreat,5\n'
    result = CliRunner().invoke(
        cli,
        ["score", "--format", "csv", "--text-column", "review", "--rating-column", "stars"],
        input=stdin,
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["review"] == "My parcel never arrived" and rows[0]["label"] == "negative"
    assert rows[1]["label"] == "positive"


def test_csv_without_the_column_is_one_clear_error() -> None:
    result = CliRunner().invoke(
        cli, ["score", "--format", "csv", "--text-column", "body"], input="review\nx\n"
    )
    assert result.exit_code == 2 and "no column 'body'" in result.output


def test_large_input_on_every_core_keeps_the_order() -> None:
    texts = ["Still waiting for my refund", "Lovely coffee", "Why is my order late?", "ok"]
    lines = [json.dumps({"id": i, "text": texts[i % 4], "rating": None}) for i in range(5000)]
    stdin = "\n".join(lines[:2500]) + "\n{broken\n" + "\n".join(lines[2500:]) + "\n"
    one = CliRunner().invoke(cli, ["score", "--workers", "1"], input=stdin)
    two = CliRunner().invoke(cli, ["score", "--workers", "2"], input=stdin)
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout
    out = [json.loads(x) for x in two.stdout.splitlines()]
    assert [o["id"] for o in out] == list(range(5000))
    assert [o["complaint"] for o in out[:4]] == [True, False, True, False]
    assert "line 2501: not JSON" in two.stderr and "5000 scored, 1 skipped" in two.stderr


def test_csv_rows_with_extra_values_are_skipped() -> None:
    stdin = 'review,stars\n"Box never arrived",1\n"Great",5,oops\n"Nice",4\n'
    result = CliRunner().invoke(
        cli, ["score", "--format", "csv", "--text-column", "review"], input=stdin
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["review"] for r in rows] == ["Box never arrived", "Nice"]
    assert rows[0]["complaint"] == "True" and rows[0]["aspects"] == "delivery"
    assert "row 3: more values than the header" in result.stderr


def test_csv_rating_column_must_exist() -> None:
    result = CliRunner().invoke(
        cli,
        ["score", "--format", "csv", "--text-column", "review", "--rating-column", "stars"],
        input="review\nx\n",
    )
    assert result.exit_code == 2 and "no column 'stars'" in result.output


def test_the_company_lexicon_from_the_config(tmp_path) -> None:  # noqa: ANN001
    config = tmp_path / "grapevine.toml"
    config.write_text(
        '[brand]\nname = "Acme"\nterms = ["Acme"]\n\n[analysis]\nlexicon = { killer = 2.0 }\n',
        encoding="utf-8",
    )
    stdin = json.dumps({"id": 1, "text": "The Killer blend"}) + "\n"
    plain = CliRunner().invoke(cli, ["score"], input=stdin)
    tuned = CliRunner().invoke(cli, ["score", "--config", str(config)], input=stdin)
    assert json.loads(plain.stdout)["label"] == "negative"
    assert json.loads(tuned.stdout)["label"] == "positive"


def test_the_console_script_fast_path(tmp_path) -> None:  # noqa: ANN001
    import subprocess
    import sys

    code = "import sys; sys.argv = ['grapevine', 'score']; from grapevine.entry import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", code],
        input='{"id": 7, "text": "Never again."}\n',
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert json.loads(result.stdout)["id"] == 7


def test_every_line_says_its_language_german_has_its_pack_spanish_is_not_scored() -> None:
    german = "Die Lieferung kam nach drei Wochen, der Kundenservice antwortet nicht. Nie wieder!"
    spanish = "El pedido llegó roto y nadie contesta en atención al cliente. Muy decepcionado."
    lines = [
        {"id": "en", "text": "Still waiting for my refund, 3 weeks now"},
        {"id": "de", "text": german, "rating": 1},
        {"id": "es", "text": spanish, "rating": 1},
    ]
    stdin = "\n".join(json.dumps(x) for x in lines) + "\n"
    out = [
        json.loads(x) for x in CliRunner().invoke(cli, ["score"], input=stdin).stdout.splitlines()
    ]
    assert [(o["language"], o["scored"]) for o in out] == [
        ("en", True),
        ("de", True),
        ("es", False),
    ]
    assert out[0]["label"] == "negative" and out[0]["sentiment"] < 0
    assert out[1]["label"] == "negative" and out[1]["version"] == "grapevine-0.4+de-lr1"
    assert out[2]["sentiment"] is None and out[2]["label"] is None
    assert out[2]["complaint"] is False and out[2]["aspects"] == []
    assert out[2]["cues"][0] == "not scored: Spanish (no language pack)"
    csv_in = "text\n" + f'"{spanish}"\n'
    rows = list(
        csv.DictReader(
            io.StringIO(CliRunner().invoke(cli, ["score", "--format", "csv"], input=csv_in).stdout)
        )
    )
    assert rows[0]["language"] == "es" and rows[0]["scored"] == "False"
    assert rows[0]["sentiment"] == "" and rows[0]["label"] == ""

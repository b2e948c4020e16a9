"""A bad config gives one line naming the file, the key and what was expected; exit status 2."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from grapevine.config import ConfigError, load_config
from grapevine.demo import demo_config
from grapevine.starter import starter_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "grapevine.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_starter_config_is_valid(tmp_path: Path) -> None:
    settings = load_config(write(tmp_path, starter_config("Acme", ["Acme", "@acme"])))
    assert settings.brand.terms == ["Acme", "@acme"]
    assert settings.database_url == f"sqlite:///{tmp_path / 'grapevine.db'}"


#: A commented line that is an example to uncomment: ``# [table]``, ``# key = value``.
_EXAMPLE = re.compile(r"^# ?(\[|[A-Za-z_][\w-]*\s*=)")


def commented_examples(text: str) -> list[list[int]]:
    """The line numbers of each commented example: consecutive example lines."""
    blocks: list[list[int]] = []
    previous = -2
    for number, line in enumerate(text.splitlines()):
        if _EXAMPLE.match(line):
            if number == previous + 1:
                blocks[-1].append(number)
            else:
                blocks.append([number])
            previous = number
    return blocks


def uncomment(text: str, block: list[int]) -> str:
    """``text`` with ``block`` uncommented, as a user would: a commented ``key = ...`` in a
    table that already sets ``key`` replaces that line (it is the alternative shown)."""
    lines = text.splitlines()
    table = ""
    tables: dict[int, str] = {}
    for number, line in enumerate(lines):
        if line.startswith("["):
            table = line.split("#")[0].strip()
        tables[number] = table
    for number in block:
        lines[number] = re.sub(r"^# ?", "", lines[number])
    if len(block) == 1 and (key := re.match(r"^([\w-]+)\s*=", lines[block[0]])):
        for number, line in enumerate(lines):
            same = tables[number] == tables[block[0]] and number != block[0]
            if same and re.match(rf"^{key.group(1)}\s*=", line):
                lines[number] = "# (replaced by the example)"
    return "\n".join(lines) + "\n"


STARTERS = {
    "starter": starter_config("Acme", ["Acme", "@acme"]),
    "brand with quotes": starter_config('Joe\'s "Best" Co'),
    "demo": demo_config("http://127.0.0.1:8599"),
}


@pytest.mark.parametrize("name", STARTERS)
def test_every_commented_example_is_valid_once_uncommented(tmp_path: Path, name: str) -> None:
    text = STARTERS[name]
    blocks = commented_examples(text)
    if name != "demo":
        assert len(blocks) >= 15  # competitors, database url, 7 sources, 3 targets, users...
    for block in blocks:
        shown = "\n".join(text.splitlines()[n] for n in block)
        edited = uncomment(text, block)
        try:
            tomllib.loads(edited)
            load_config(write(tmp_path, edited), env={})
        except (tomllib.TOMLDecodeError, ConfigError) as exc:
            pytest.fail(f"uncommenting\n{shown}\ngives: {exc}")
    everything = text
    for block in blocks:
        if len(block) > 1:  # the multi-line examples (tables) all at once
            everything = uncomment(everything, block)
    load_config(write(tmp_path, everything), env={})


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ('[brand]\nname = "A"\n[crawl]\nmax_pages = "lots"\n', "crawl.max_pages", "valid integer"),
        ('[brand]\nname = "A"\n[crawl]\ncolour = 1\n', "crawl.colour", "unknown key"),
        (
            '[brand]\nname = "A"\n[[sources]]\nname = "x"\ntype = "fed"\n',
            "sources[0].type",
            "one of",
        ),
        (
            '[brand]\nname = "A"\n[[sources]]\nname = "x"\ntype = "feed"\n',
            "sources[0].urls",
            "required",
        ),
        ('[brand]\nname = "A"\n[schedule]\ntimes = ["7am"]\n', "schedule.times", "HH:MM"),
        ('[brand]\nname = "A"\n[database]\nurl = "mysql://x"\n', "database.url", "postgresql"),
        ('[[sources]]\nname = "x"\ntype = "feed"\nurls = ["http://x"]\n', "brand", "required"),
    ],
)
def test_errors_name_the_key_and_what_was_expected(
    tmp_path: Path, text: str, key: str, expected: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == key
    assert expected in caught.value.expected
    assert str(caught.value).startswith(f"{path}: {key}: ")


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"not valid TOML: .*line 2"):
        load_config(write(tmp_path, '[brand]\nname = "A\n'))


def test_environment_overrides_the_database_url(tmp_path: Path) -> None:
    path = write(tmp_path, '[brand]\nname = "A"\n')
    settings = load_config(path, env={"GRAPEVINE_DATABASE_URL": "postgresql://u@db/g", "S": "x"})
    assert settings.database_url == "postgresql://u@db/g"
    assert settings.secret("S") == "x" and settings.secret("MISSING") is None


def test_the_cli_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    path = write(tmp_path, '[brand]\nname = "A"\n[crawl]\nmax_pages = -1\n')
    done = subprocess.run(
        [sys.executable, "-m", "grapevine", "status", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: {path}: crawl.max_pages: expected greater than or equal to 1 (got -1)"
    ]
    assert "Traceback" not in done.stderr + done.stdout


def test_a_missing_config_says_how_to_make_one(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "grapevine", "status", "--config", str(tmp_path / "nope.toml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "grapevine init" in done.stderr

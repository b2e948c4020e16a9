"""Response templates: prepared answers a responder picks, adapts and copies.

A template is a text file: header lines (``Name:``, ``Aspects:`` comma-separated), a blank
line, then the body with placeholders ``{first_name}``, ``{author}``, ``{brand}``,
``{product}``, ``{order}``, ``{order_ref}`` (" LW-1234", " #1234" for a bare number, or
nothing), ``{order_ref_hint}`` and ``{responder}``. A placeholder with no value is left as
``[product]`` so the responder sees what to fill in.

A reply must read as a person wrote it: one line per paragraph, blank lines between them.
A file wrapped by an editor (a long line broken mid-sentence) is joined back into its
paragraph when read (:func:`unwrap`); short lines (a greeting, a sign-off) and list items
keep their breaks. The defaults ship in ``triage/default_templates``; ``grapevine init``
copies them next to the config, where a team edits them.
"""

import re
import shutil
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_DIR = Path(__file__).parent / "default_templates"
FIELDS = (
    "first_name",
    "author",
    "brand",
    "product",
    "order",
    "order_ref",
    "order_ref_hint",
    "responder",
)


@dataclass(frozen=True)
class Template:
    """One response template."""

    key: str
    name: str
    aspects: tuple[str, ...]
    body: str


#: A line at least this long, followed by more of its paragraph, was wrapped by an editor.
WRAPPED = 50
_LIST_ITEM = re.compile(r"\s*(?:[-*•]|\d+[.)])\s")


def unwrap(body: str) -> str:
    """``body`` with the line breaks inside its sentences joined (paragraphs kept)."""
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", body.strip()):
        lines: list[str] = []
        for line in paragraph.split("\n"):
            line = line.rstrip()
            if (
                lines
                and len(lines[-1]) >= WRAPPED
                and not _LIST_ITEM.match(line)
                and not _LIST_ITEM.match(lines[-1])
            ):
                lines[-1] = lines[-1] + " " + line.strip()
            else:
                lines.append(line)
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def parse_template(key: str, text: str) -> Template:
    """A template from its file text."""
    header, _, body = text.replace("\r\n", "\n").partition("\n\n")
    meta: dict[str, str] = {}
    for line in header.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            meta[name.strip().lower()] = value.strip()
    if "name" not in meta:  # no header: the whole file is the body
        return Template(
            key=key, name=key.replace("-", " ").capitalize(), aspects=(), body=unwrap(text)
        )
    aspects = tuple(a.strip() for a in meta.get("aspects", "").split(",") if a.strip())
    return Template(key=key, name=meta["name"], aspects=aspects, body=unwrap(body))


def load_templates(directory: Path | None = None) -> list[Template]:
    """The templates in ``directory`` (``*.txt``), or the defaults when it has none."""
    folder = directory if directory is not None and directory.is_dir() else DEFAULT_DIR
    files = sorted(folder.glob("*.txt")) or sorted(DEFAULT_DIR.glob("*.txt"))
    return [parse_template(f.stem, f.read_text(encoding="utf-8")) for f in files]


def copy_defaults(directory: Path) -> list[Path]:
    """Copy the default templates into ``directory`` (existing files are kept), the
    advocacy ones (thank, ask for a review, invite to referral) into its ``advocacy/``."""
    written = []
    for source in sorted(DEFAULT_DIR.rglob("*.txt")):
        target = directory / source.relative_to(DEFAULT_DIR)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            written.append(target)
    directory.mkdir(parents=True, exist_ok=True)
    return written


def suggest(
    templates: list[Template], aspects: list[str] | tuple[str, ...], label: str | None
) -> Template | None:
    """The template that best fits a mention's aspects (thank-you for positive mentions)."""
    if label == "positive":
        for template in templates:
            if template.key == "thank-you":
                return template
    for aspect in aspects:
        for template in templates:
            if aspect in template.aspects:
                return template
    for template in templates:
        if template.key == "general-apology":
            return template
    return templates[0] if templates else None


class _Blanks(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return f"[{key}]"


def first_name(author: str | None) -> str | None:
    """A friendly first name from an author's display name (not from a handle like u/x)."""
    if not author:
        return None
    name = author.strip().lstrip("@")
    if re.fullmatch(r"[\w.-]*\d[\w.-]*|[a-z0-9_.-]+", name):
        return author.strip()  # looks like a handle: use it as it is
    return name.split()[0]


def render(template: Template, values: Mapping[str, Any]) -> str:
    """The template body with ``values`` filled in and ``[placeholder]`` for what is missing."""
    data = _Blanks({k: str(v) for k, v in values.items() if v not in (None, "")})
    if "first_name" not in data and "author" in data:
        data["first_name"] = first_name(data["author"]) or data["author"]
    if "order" in data:
        # "order #1234" for a bare number; "order LW-1234" when the number names itself
        bare = data["order"].isdigit()
        data.setdefault("order_ref", f" #{data['order']}" if bare else f" {data['order']}")
        data.setdefault("order_ref_hint", "")
    else:
        data.setdefault("order_ref", "")
        data.setdefault("order_ref_hint", "")
    if "first_name" not in data:
        data["first_name"] = "there"
    formatter = string.Formatter()
    out = []
    for literal, field, _spec, _conv in formatter.parse(template.body):
        out.append(literal)
        if field is not None:
            out.append(data[field] if field else "{}")
    return "".join(out)

"""Response templates are filled with what is known and mark what is not."""

from pathlib import Path

from triage.templates import copy_defaults, load_templates, parse_template, render, suggest


def test_defaults_load_and_suggest_by_aspect() -> None:
    templates = load_templates(None)
    assert {"delivery-delay", "billing-refund", "thank-you"} <= {t.key for t in templates}
    assert suggest(templates, ["billing"], "negative").key == "billing-refund"
    assert suggest(templates, [], "positive").key == "thank-you"
    assert suggest(templates, ["weather"], "negative").key == "general-apology"


def test_render_fills_and_marks_missing_values() -> None:
    template = parse_template(
        "t",
        "Name: T\nAspects: delivery\n\nHi {first_name}, {product} order{order_ref}. {responder}",
    )
    assert (
        render(template, {"author": "Maria Lopez", "responder": "Sam", "order": "LW-1"})
        == "Hi Maria, [product] order #LW-1. Sam"
    )
    assert render(template, {"author": "brewnerd42"}).startswith("Hi brewnerd42, [product] order.")


def test_a_team_edits_its_own_copy(tmp_path: Path) -> None:
    copy_defaults(tmp_path)
    (tmp_path / "thank-you.txt").write_text("Name: Thanks\nAspects:\n\nCheers {first_name}!")
    assert copy_defaults(tmp_path) == []  # edits are kept
    [thanks] = [t for t in load_templates(tmp_path) if t.key == "thank-you"]
    assert render(thanks, {"author": "Ann Lee"}) == "Cheers Ann!"

"""Response templates are filled with what is known and mark what is not."""

import re
from pathlib import Path

from triage.templates import (
    copy_defaults,
    load_templates,
    parse_template,
    render,
    suggest,
    unwrap,
)


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
        == "Hi Maria, [product] order LW-1. Sam"
    )
    assert render(template, {"author": "brewnerd42"}).startswith("Hi brewnerd42, [product] order.")


def test_a_team_edits_its_own_copy(tmp_path: Path) -> None:
    copy_defaults(tmp_path)
    (tmp_path / "thank-you.txt").write_text("Name: Thanks\nAspects:\n\nCheers {first_name}!")
    assert copy_defaults(tmp_path) == []  # edits are kept
    [thanks] = [t for t in load_templates(tmp_path) if t.key == "thank-you"]
    assert render(thanks, {"author": "Ann Lee"}) == "Cheers Ann!"


def test_a_bare_order_number_gets_a_hash() -> None:
    template = parse_template("t", "Name: T\nAspects:\n\nYour order{order_ref}.")
    assert render(template, {"order": "204518"}) == "Your order #204518."
    assert render(template, {}) == "Your order."


def test_every_default_reads_as_a_person_wrote_it() -> None:
    """Paragraphs only (no break inside a sentence), and the noun of what was filled in."""
    values = {"author": "Maria Lopez", "order": "LW-209931", "responder": "Sam", "brand": "Lw"}
    for template in load_templates(None):
        text = render(template, values)
        for paragraph in text.split("\n\n"):
            for line in paragraph.split("\n")[:-1]:
                # a line that goes on in the same paragraph ends a greeting or a sentence
                assert re.search(r"[,.!?:]$", line) and len(line) < 50, (template.key, line)
        assert "payment LW-" not in text and "payment #" not in text, template.key
    [billing] = [t for t in load_templates(None) if t.key == "billing-refund"]
    assert "your order LW-209931." in render(billing, values)


def test_a_team_copy_wrapped_by_an_editor_is_joined_back() -> None:
    body = (
        "Hi {first_name},\n\nThank you for telling us, and I'm sorry about the trouble with\n"
        "your order{order_ref}. Nobody should have to chase us.\n\nWhat we did:\n- refunded\n"
        "- apologised\n\nThanks,\n{responder}"
    )
    assert unwrap(body) == (
        "Hi {first_name},\n\nThank you for telling us, and I'm sorry about the trouble with "
        "your order{order_ref}. Nobody should have to chase us.\n\nWhat we did:\n- refunded\n"
        "- apologised\n\nThanks,\n{responder}"
    )


def test_the_starter_copies_the_advocacy_templates_too(tmp_path: Path) -> None:
    from triage import advocacy

    written = copy_defaults(tmp_path)
    assert {p.relative_to(tmp_path).as_posix() for p in written} >= {
        "advocacy/thank.txt",
        "advocacy/ask-review.txt",
        "advocacy/invite-referral.txt",
    }
    (tmp_path / "advocacy" / "thank.txt").write_text(
        "Name: Thanks\nAspects:\n\nCheers {first_name}!"
    )
    assert (
        render(advocacy.load_templates(tmp_path)["thank"], {"first_name": "Ann"}) == "Cheers Ann!"
    )
    # the complaint templates are not mixed with the advocacy ones
    assert "thank" not in {t.key for t in load_templates(tmp_path)}

"""The learned models on the Settings page and the model version on the case page."""

from conftest import open_page
from sqlalchemy import update

from storage import model_registry as registry
from storage.models import Mention


def _trained(engine) -> None:
    with engine.begin() as conn:
        registry.add_model_version(
            conn,
            version="lr1-desk1",
            lang="en",
            parent="lr1",
            metrics={"held_back": 8, "before": {"agreement": 0.5}, "after": {"agreement": 0.75}},
            artefact=b"{}",
            actor="cli",
            activate_it=True,
        )


def test_the_case_page_shows_language_and_model(app, seeded, sqlite_engine) -> None:
    with sqlite_engine.begin() as conn:
        conn.execute(update(Mention).values(analyser_version="grapevine-0.4+lr1-desk1"))
    at = open_page(app(actor_name="Sam"), "case", case=str(seeded["case_late"]))
    assert not at.exception
    assert any("· model: lr1-desk1" in t.value for t in at.text), [t.value for t in at.text]


def test_an_admin_rolls_back_to_the_shipped_model(app, seeded, sqlite_engine) -> None:
    at = open_page(app(), "settings")
    assert "Train one on the desk's decisions" in " ".join(c.value for c in at.caption)
    _trained(sqlite_engine)
    at = open_page(app(), "settings")
    table = at.dataframe[-1].value
    assert table.set_index("Model").loc["lr1-desk1", "In use"] == "yes"
    assert table.set_index("Model").loc["lr1-desk1", "Agreement after"] == "75%"
    at.selectbox(key="model_switch_choice").set_value("lr1 (en, shipped)")
    at.button[-1].click().run()
    assert not at.exception
    assert "lr1 now scores new en mentions" in at.success[0].value
    with sqlite_engine.connect() as conn:
        assert registry.active_artefact(conn, lang="en") is None
        assert [r["active"] for r in registry.list_model_versions(conn)] == [False]

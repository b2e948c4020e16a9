"""The Sources page shows what each source could not store: the count, the reasons, the items."""

from conftest import open_page

from storage import quarantine

PRIVATE = "the parcel never came <b>help</b>"


def test_sources_show_quarantined_items_with_their_reasons(app, seeded, sqlite_engine) -> None:
    quarantine.add(
        sqlite_engine,
        items=[
            {"source": "forums", "source_type": "feed", "external_id": "f-1", "text": PRIVATE},
            {"source": "forums", "source_type": "feed", "external_id": "f-2", "text": PRIVATE},
        ],
        reasons=["DataError: value too long", "DataError: value too long"],
        stage="store",
    )
    at = open_page(app(), "sources")
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    counts = dict(zip(table["Source"], table["Quarantined"], strict=True))
    assert counts == {"review-site": 0, "forums": 2}
    verdicts = dict(zip(table["Source"], table["Verdict"], strict=True))
    assert verdicts["forums"].endswith("2 items in quarantine")
    assert any("2 crawled items could not be stored" in w.value for w in at.warning)
    assert any(t.value == "2 items in quarantine: DataError: value too long ×2" for t in at.text)
    items = next(d.value for d in at.dataframe if "External id" in d.value.columns)
    assert sorted(items["External id"]) == ["f-1", "f-2"]
    shown = " ".join(str(e.value) for e in [*at.markdown, *at.text, *at.caption])
    assert PRIVATE not in shown  # the review stays in the quarantine, not on the page

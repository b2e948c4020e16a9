"""Sources: each source's last runs, what they brought and what went wrong.

"Nothing new was said" (a clean run with 0 new) and "we could not look" (blocked, failed)
are shown as the different things they are. Items a source served that could not be stored
wait in the quarantine: their count and reasons are shown per source, the items themselves
listed (as text, never rendered) with what to run to retry them.
"""

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import context, display, loaders
from dashboard.sources_view import dead_letter_lines, quarantine_note, verdict
from storage import cluster, quarantine


@st.cache_data(ttl=loaders.LIST_TTL, show_spinner=False)
def _quarantine(url: str) -> dict[str, Any]:
    engine = context.engine()
    return {
        "counts": quarantine.open_counts(engine),
        "reasons": quarantine.reasons_by_source(engine),
        "items": [
            {k: v for k, v in row.items() if k != "item"}
            for row in quarantine.list_items(engine, limit=500)
        ],
    }


@st.cache_data(ttl=loaders.LIST_TTL, show_spinner=False)
def _dead_tasks(url: str) -> list[dict[str, Any]]:
    return cluster.dead_tasks(context.engine())


context.person()

st.title("Sources")
st.caption(
    "Each source's latest crawl. A clean run with 0 new means nothing new was said; "
    "a blocked or failed run means we could not look."
)
sources = loaders.sources()
held = _quarantine(context.settings().database_url)
known = {s["name"] for s in sources}
sources = [
    *sources,
    *(  # a source that was removed from the config but left items in quarantine
        {
            "name": name,
            "last_status": None,
            "last_run_at": None,
            "items_new": 0,
            "items_updated": 0,
            "items_failed": 0,
            "items_total": 0,
            "error": None,
            "monitors": None,
        }
        for name in sorted(set(held["counts"]) - known)
    ),
]
if not sources:
    st.info("No source is configured or has run yet. Add [[sources]] to grapevine.toml.")
    st.stop()
dead = _dead_tasks(context.settings().database_url)
if dead:  # the cluster gave up on these crawl tasks; their days went on without them
    st.error(
        f"{len(dead)} crawl task{'s' if len(dead) != 1 else ''} of the cluster failed too "
        "often and stopped (dead letters, last 7 days):\n\n"
        + "\n".join(f"- {line}" for line in dead_letter_lines(dead)),
        icon=":material/error:",
    )
if held["counts"]:
    total = sum(held["counts"].values())
    st.warning(
        f"{total} crawled item{'s' if total != 1 else ''} could not be stored and "
        f"{'wait' if total != 1 else 'waits'} in quarantine (reasons below). "
        "Once the cause is fixed: `grapevine quarantine retry --all`.",
        icon=":material/inventory_2:",
    )

summary = pd.DataFrame(
    [
        {
            "Source": s["name"],
            "Verdict": verdict(
                s["last_status"], s["items_new"], s["error"], held["counts"].get(s["name"], 0)
            )[0],
            "Last run": display.as_local(pd.Timestamp(s["last_run_at"]).to_pydatetime())
            if s["last_run_at"]
            else None,
            "New": s["items_new"],
            "Updated": s["items_updated"],
            "Failed items": s["items_failed"],
            "Quarantined": held["counts"].get(s["name"], 0),
            "Stored in all": s["items_total"],
            "Why": display.preview(s["error"] or s["monitors"] or "", 200),
        }
        for s in sources
    ]
)
st.dataframe(
    summary,
    hide_index=True,
    width="stretch",
    column_config={"Last run": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
)

for source in sources:
    waiting = held["counts"].get(source["name"], 0)
    label, tone = verdict(source["last_status"], source["items_new"], source["error"], waiting)
    icon = {"ok": ":material/check_circle:", "warn": ":material/warning:"}.get(
        tone, ":material/error:"
    )
    with st.expander(f"{source['name']} — {label}", icon=icon, expanded=tone == "bad"):
        if waiting:
            st.text(quarantine_note(waiting, held["reasons"].get(source["name"], [])))
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "ID": q["id"],
                            "External id": str(q["external_id"] or ""),
                            "Stage": q["stage"],
                            "Reason": q["reason"],
                            "Since": display.as_local(q["created_at"]),
                            "Attempts": q["attempts"],
                        }
                        for q in held["items"]
                        if q["source"] == source["name"]
                    ]
                ),
                hide_index=True,
                width="stretch",
                column_config={
                    "Since": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                    "Reason": st.column_config.TextColumn(width="large"),
                },
            )
            st.caption(f"Retry once fixed: `grapevine quarantine retry --source {source['name']}`")
        runs = loaders.recent_runs(source["name"], 20)
        if not runs:
            st.caption("Never ran. It runs with the next `grapevine run` or `grapevine crawl`.")
            continue
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Started": display.as_local(run["started_at"]),
                        "Took": display.duration(run["finished_at"] - run["started_at"])
                        if run["finished_at"]
                        else "",
                        "Status": run["status"],
                        "Verdict": verdict(run["status"], run["items_new"], run["error_summary"])[
                            0
                        ],
                        "Pages": run["pages"],
                        "New": run["items_new"],
                        "Updated": run["items_updated"],
                        "Unchanged": run["items_unchanged"],
                        "Dropped": run["items_dropped"],
                        "Failed": run["items_failed"],
                        "Quarantined": run.get("items_quarantined", 0),
                        "Errors": run["errors"],
                        "Finish": run["finish_reason"] or "",
                        "Reasons": run["error_summary"] or "",
                    }
                    for run in runs
                ]
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "Started": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                "Reasons": st.column_config.TextColumn(width="large"),
            },
        )
        monitors = runs[0].get("monitors") or {}
        if monitors:
            st.caption("Checks on the latest run (Spidermon monitors)")
            lines = []
            if monitors.get("summary"):
                lines.append(str(monitors["summary"]))
            for key, mark in (("failed", "✗"), ("passed", "✓")):
                for item in monitors.get(key) or []:
                    lines.append(f"{mark} {item}")
            st.text("\n".join(lines) or str(monitors))

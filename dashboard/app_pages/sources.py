"""Sources: each source's last runs, what they brought and what went wrong.

"Nothing new was said" (a clean run with 0 new) and "we could not look" (blocked, failed)
are shown as the different things they are.
"""

import pandas as pd
import streamlit as st

from dashboard import context, display, loaders
from dashboard.sources_view import verdict

context.person()

st.title("Sources")
st.caption(
    "Each source's latest crawl. A clean run with 0 new means nothing new was said; "
    "a blocked or failed run means we could not look."
)
sources = loaders.sources()
if not sources:
    st.info("No source is configured or has run yet. Add [[sources]] to grapevine.toml.")
    st.stop()

summary = pd.DataFrame(
    [
        {
            "Source": s["name"],
            "Verdict": verdict(s["last_status"], s["items_new"], s["error"])[0],
            "Last run": display.as_local(pd.Timestamp(s["last_run_at"]).to_pydatetime())
            if s["last_run_at"]
            else None,
            "New": s["items_new"],
            "Updated": s["items_updated"],
            "Failed items": s["items_failed"],
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
    label, tone = verdict(source["last_status"], source["items_new"], source["error"])
    icon = {"ok": ":material/check_circle:", "warn": ":material/warning:"}.get(
        tone, ":material/error:"
    )
    with st.expander(f"{source['name']} — {label}", icon=icon, expanded=tone == "bad"):
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

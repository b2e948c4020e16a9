"""Follow-ups: the 30/60/90-day reviews of resolved cases, overdue first."""

from datetime import UTC, datetime, time, timedelta

import pandas as pd
import streamlit as st

from dashboard import actions, context, display, loaders
from storage.types import utcnow
from triage.cases import Change, next_follow_up

cfg = context.settings()
who = context.person()

st.title("Follow-ups")
st.caption(
    "Did the customer come back happier? Each resolved case is reviewed "
    + "/".join(str(d) for d in cfg.follow_up_days)
    + " days after it was resolved (the daily job sends reminders)."
)
actions.show_flash()
context.read_only_notice(who)

counts = loaders.follow_up_counts()
cols = st.columns(3)
cols[0].metric("Overdue", counts["overdue"])
cols[1].metric("Due in the next 7 days", counts["this_week"])
cols[2].metric("Scheduled", counts["scheduled"])

HORIZONS = {"week": "Due within 7 days (and overdue)", "overdue": "Overdue", "all": "All scheduled"}
left, right = st.columns([2, 1])
st.session_state.setdefault("fu_show", "week")  # not default=: fu_ keys are kept across pages
horizon = (
    left.segmented_control("Show", list(HORIZONS), format_func=HORIZONS.__getitem__, key="fu_show")
    or "week"
)
mine = right.toggle("Only mine", key="fu_mine")
now = utcnow()
until = {"week": now + timedelta(days=7), "overdue": now, "all": None}[horizon]
rows, total = loaders.follow_ups(until, who.name if mine else None, 200, 0)

if not rows:
    st.info("No follow-up is due. Resolved cases get one automatically.")
    st.stop()

ids = [row["id"] for row in rows]
table = pd.DataFrame(
    [
        {
            "Case": row["id"],
            "Follow-up": display.as_local(row["follow_up_at"]),
            "When": ("OVERDUE " if row["follow_up_at"] < now else "in ")
            + display.duration(row["follow_up_at"] - now),
            "Review": f"#{row['follow_ups_done'] + 1} of {len(cfg.follow_up_days)}",
            "Author": display.preview(row["author"], 40),
            "Said": display.preview(
                ((row["title"] + " — ") if row["title"] else "") + (row["text"] or ""), 120
            ),
            "Status": display.status_name(row["status"]),
            "Action taken": row["action_taken"] or "",
            "Assignee": row["assignee"] or "",
        }
        for row in rows
    ]
)
st.caption(f"{total} follow-up(s); showing the first {len(rows)}, the earliest first.")
event = st.dataframe(
    table,
    key="follow_up_table",
    on_select="rerun",
    selection_mode="single-row",
    hide_index=True,
    width="stretch",
    column_config={
        "Case": st.column_config.NumberColumn(format="#%d", width="small"),
        "Follow-up": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        "Said": st.column_config.TextColumn(width="large"),
    },
)
positions = event.selection.rows if event is not None else []
chosen = st.session_state.get("follow_up_case")
if positions:
    chosen = ids[positions[0]]
    st.session_state["follow_up_case"] = chosen
row = next((r for r in rows if r["id"] == chosen), None)
if row is None:
    st.caption("Select a row to mark its review done or move it.")
    st.stop()

st.write(f"**Case #{row['id']}** — review #{row['follow_ups_done'] + 1}")
upcoming = next_follow_up(row["resolved_at"], row["follow_ups_done"] + 1, cfg.follow_up_days)
with st.form(f"follow_up_{row['id']}"):
    note = st.text_area("What did you find? (note on the timeline)", height=80)
    later = st.date_input(
        "Next review",
        value=upcoming.date() if upcoming else None,
        help="Empty: no further review",
    )
    done = st.form_submit_button("Mark done", type="primary", disabled=not who.can_work)
    move = st.form_submit_button(
        "Only move this review to the date above", disabled=not who.can_work
    )
if st.button(f"Open case #{row['id']}", key="btn_follow_up_open"):
    st.switch_page("app_pages/case.py", query_params={"case": str(row["id"])})

if done or move:
    when = datetime.combine(later, time(9), tzinfo=UTC) if later else None
    change = Change(
        follow_up_done=bool(done),
        follow_up_at=when,
        clear_follow_up=when is None,
        note=note or None,
    )
    outcome = actions.save_case(row["id"], row["version"], who, change)
    if outcome.ok:
        st.session_state.pop("follow_up_case", None)
        actions.flash(
            f"Case #{row['id']}: review done." if done else f"Case #{row['id']}: review moved."
        )
        st.rerun()
    st.error(outcome.message)

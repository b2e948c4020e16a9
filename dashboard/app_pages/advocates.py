"""Advocates: the happy customers, and a thank-you, a review request or a referral invite."""

import streamlit as st

from dashboard import actions, context, display
from dashboard import advocates_view as av

who = context.person()

st.title("Advocates")
actions.show_flash()
st.caption(
    "Enthusiastic mentions and 4–5 star reviews of the brand, known customers first. "
    "Thank them, ask for a review elsewhere, or invite them to refer a friend."
)
# a month by default: happy voices are rarer than complaints, and a thank-you a few weeks
# late still lands (the weekly report shows the week's)
PERIODS = {7: "Last 7 days", 30: "Last 30 days", 90: "Last 90 days"}
st.session_state.setdefault("adv_days", 30)  # kept across pages: no default= (Streamlit warns)
days = st.segmented_control(
    "Period", list(PERIODS), format_func=PERIODS.__getitem__, key="adv_days"
)
rows = av.advocates(days or 30)
if not rows:
    st.info("No happy mention of the brand in this period yet.")
    st.stop()

came_back = [row for row in rows if row.get("came_back")]
cols = st.columns(4)
cols[0].metric("Happy voices", len(rows), border=True)
cols[1].metric("Known customers", sum(1 for r in rows if r.get("customer_id")), border=True)
cols[2].metric(
    "Came back happier",
    len(came_back),
    border=True,
    help="Customers whose case was resolved before this happy mention",
)
cols[3].metric("Already answered", sum(1 for r in rows if r.get("done")), border=True)
if came_back:
    names = ", ".join(av.who(r) for r in came_back)
    st.success(f"Came back happier after a resolved case: {display.md_escape(names)}")

ids = [row["id"] for row in rows]
event = st.dataframe(
    av.table(rows),
    key="advocate_table",
    on_select="rerun",
    selection_mode="single-row",
    hide_index=True,
    width="stretch",
)
picked = event.selection.rows if event is not None else []
if picked:
    st.session_state["adv_mention"] = ids[picked[0]]
wanted = st.session_state.get("adv_mention")
row = next((r for r in rows if r["id"] == wanted), rows[0])  # the first one is ready to thank

st.subheader("Say thank you")
left, right = st.columns([1, 1])
with left:
    st.text(av.facts(row))
    if row.get("title"):
        display.untrusted(row["title"])
    display.untrusted(row.get("text"))
    av.original(row)
with right:
    context.read_only_notice(who)
    av.action_panel(row, who)

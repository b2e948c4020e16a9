"""The triage queue: open cases, highest priority first; filter, select, act in bulk."""

import streamlit as st

from dashboard import actions, context, loaders, queue_view

cfg = context.settings()
who = context.person()

st.title("Triage queue")
actions.show_flash()

counts = loaders.queue_counts()
columns = st.columns(5)
columns[0].metric("Open cases", counts["open"])
columns[1].metric("Overdue", counts["overdue"], help="Past due with no first action yet")
columns[2].metric("Due within 24 h", counts["due_soon"])
columns[3].metric("Unassigned", counts["unassigned"])
columns[4].metric("New", counts["new"])

options = loaders.options()
filters = queue_view.filter_bar(options, who)
table_key = queue_view.track_view(filters)
page = st.session_state.get(queue_view.PAGE, 0)
rows, total = loaders.queue(filters, queue_view.PAGE_SIZE, page * queue_view.PAGE_SIZE)
if total and not rows:  # the page ran past the end (cases were closed meanwhile)
    st.session_state[queue_view.PAGE] = 0
    rows, total = loaders.queue(filters, queue_view.PAGE_SIZE, 0)

if total == 0:
    if counts["open"] == 0 and filters == queue_view.QueueFilter():
        st.info("No open cases. Everything that needed attention has been handled.")
    else:
        st.info("No case matches these filters.")
else:
    # a line of its own above the table: the table's toolbar (search, download, full
    # screen) shows over the row above it, which would hide the Filters toggle
    cases = f"{queue_view.count_text(total)} case{'s' if total != 1 else ''}"
    st.caption(f"{cases}, {queue_view.ORDER[filters.sort]}")
    queue_view.table(rows, table_key)
    queue_view.pager(total)
queue_view.bulk_bar(who, cfg, options["assignees"])

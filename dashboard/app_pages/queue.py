"""The triage queue: open cases, highest priority first, one page at a time."""

import pandas as pd
import streamlit as st

from dashboard import context
from storage.queries import queue_page

PAGE_SIZE = 50

st.title("Triage queue")

engine = context.engine()
page = st.session_state.get("queue_page", 0)
rows, total = queue_page(engine, limit=PAGE_SIZE, offset=page * PAGE_SIZE)

if total == 0:
    st.info("No open cases. Everything that needed attention has been handled.")
    st.stop()

st.caption(f"{total} open cases, highest priority first")
table = pd.DataFrame(
    [
        {
            "Case": row["id"],
            "Priority": row["priority"],
            "Status": row["status"].replace("_", " "),
            "Source": row["source"],
            "Author": row["author"],
            "Said": (row["title"] + ": " if row["title"] else "") + row["text"][:160],
            "Rating": row["rating"],
            "Aspects": ", ".join(row["aspects"] or []),
            "Assignee": row["assignee"] or "",
            "Due": row["due_at"],
        }
        for row in rows
    ]
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "Priority": st.column_config.ProgressColumn(min_value=0, max_value=1, format="%.2f"),
        "Rating": st.column_config.NumberColumn(format="%.0f ★"),
        "Due": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
    },
)
pages = max(1, -(-total // PAGE_SIZE))
if pages > 1:
    st.number_input(
        "Page",
        min_value=1,
        max_value=pages,
        value=page + 1,
        key="queue_page_input",
        on_change=lambda: st.session_state.update(
            queue_page=st.session_state["queue_page_input"] - 1
        ),
    )

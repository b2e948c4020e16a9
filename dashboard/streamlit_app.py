"""Grapevine's dashboard: the triage desk marketing and support open every morning.

Start it with ``grapevine dashboard`` (which hands over the settings); pages live in
``dashboard/app_pages``.
"""

import streamlit as st

from dashboard import context

st.set_page_config(page_title="Grapevine", page_icon="🍇", layout="wide")

cfg = context.settings()

pages = [
    st.Page("app_pages/queue.py", title="Triage queue", icon=":material/inbox:", default=True),
]
st.sidebar.caption(f"Listening for **{cfg.brand}**")
st.navigation(pages).run()

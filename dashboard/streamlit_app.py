"""Grapevine's dashboard: the triage desk marketing and support open every morning.

Start it with ``grapevine dashboard`` (which hands over the settings); pages live in
``dashboard/app_pages``. This script signs the person in, keeps the filters across pages and
offers the pages their role allows.
"""

import streamlit as st

from dashboard import auth, context

#: Session-state prefixes of filters that survive switching pages.
KEPT = ("q_", "h_", "fu_", "cu_", "src_", "actor_")

st.set_page_config(page_title="Grapevine", page_icon="🍇", layout="wide")

for key in list(st.session_state.keys()):
    if isinstance(key, str) and key.startswith(KEPT):
        st.session_state[key] = st.session_state[key]

cfg = context.settings()
who = auth.current(cfg)
if who is None:
    st.navigation(
        [st.Page(lambda: auth.sign_in_page(cfg), title="Sign in", url_path="sign-in", default=True)]
    ).run()
    st.stop()
assert who is not None

pages = [
    st.Page("app_pages/queue.py", title="Triage queue", icon=":material/inbox:", default=True),
    st.Page("app_pages/case.py", title="Case", icon=":material/assignment:", url_path="case"),
    st.Page("app_pages/health.py", title="Brand health", icon=":material/monitoring:"),
    st.Page("app_pages/follow_ups.py", title="Follow-ups", icon=":material/event_repeat:"),
    st.Page("app_pages/customers.py", title="Customers", icon=":material/groups:"),
    st.Page("app_pages/sources.py", title="Sources", icon=":material/rss_feed:"),
]
if who.is_admin:
    pages.append(st.Page("app_pages/settings.py", title="Settings", icon=":material/settings:"))

with st.sidebar:
    st.caption(f"Listening for {cfg.brand}")
    if who.method == "local":
        st.text_input(
            "Your name (for the timeline and replies)",
            key="actor_name",
            placeholder="local user",
        )
        st.caption(
            f"No sign-in configured: the dashboard listens on {cfg.host} only, so only "
            "this machine can open it. Add [[users]] to share it with a team."
        )
    else:
        st.text(f"Signed in: {who.name} ({who.role})")
        if st.button("Sign out", key="btn_sign_out"):
            auth.sign_out(who)

st.navigation(pages).run()

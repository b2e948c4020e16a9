"""Grapevine's dashboard: the triage desk marketing and support open every morning.

Start it with ``grapevine dashboard`` (which hands over the settings); pages live in
``dashboard/app_pages``. This script signs the person in, keeps the filters across pages and
offers the pages their role allows.
"""

import streamlit as st

from dashboard import auth, context, errors

#: Session-state prefixes of filters that survive switching pages.
KEPT = ("q_", "h_", "fu_", "cu_", "src_", "actor_", "adv_")

# the pages across the top and the sidebar folded away: the queue table needs the width of
# a laptop screen (the sidebar keeps who you are: your name, signing out)
st.set_page_config(
    page_title="Grapevine", page_icon="🍇", layout="wide", initial_sidebar_state="collapsed"
)
# a failure is one friendly line (errors.shown); a stack trace is for the log, never the page
st.set_option("client.showErrorDetails", "none")

for key in list(st.session_state.keys()):
    if isinstance(key, str) and key.startswith(KEPT):
        st.session_state[key] = st.session_state[key]

cfg = context.settings()
who = auth.current(cfg)
#: (script, title, icon, url path) of every page; settings are for admins only
PAGES = [
    ("app_pages/queue.py", "Triage queue", ":material/inbox:", ""),
    ("app_pages/case.py", "Case", ":material/assignment:", "case"),
    ("app_pages/health.py", "Brand health", ":material/monitoring:", "health"),
    ("app_pages/follow_ups.py", "Follow-ups", ":material/event_repeat:", "follow_ups"),
    ("app_pages/customers.py", "Customers", ":material/groups:", "customers"),
    ("app_pages/advocates.py", "Advocates", ":material/favorite:", "advocates"),
    ("app_pages/sources.py", "Sources", ":material/rss_feed:", "sources"),
    ("app_pages/settings.py", "Settings", ":material/settings:", "settings"),
    ("app_pages/audit.py", "Audit", ":material/policy:", "audit"),
]

if who is None:
    # every address shows the sign-in, so a shared link to a case opens it after signing in
    def sign_in() -> None:
        """The sign-in screen."""
        auth.sign_in_page(cfg)

    st.navigation(
        [
            st.Page(sign_in, title="Sign in", url_path=url or None, default=not url)
            for _script, _title, _icon, url in PAGES
        ],
        position="hidden",
    ).run()
    st.stop()
assert who is not None

pages = [
    st.Page(script, title=title, icon=icon, url_path=url or None, default=not url)
    for script, title, icon, url in PAGES
    if url not in ("settings", "audit") or who.is_admin
]

with st.sidebar:
    st.caption(f"Listening for {cfg.brand}")
    if who.method == "local":
        st.text_input(
            "Your name (for the timeline and replies)",
            key="actor_name",
            placeholder="local user",
            max_chars=auth.NAME_MAX,
        )
        if len(str(st.session_state.get("actor_name") or "").strip()) > auth.NAME_MAX:
            st.warning(f"That name is too long (at most {auth.NAME_MAX} characters): shorten it.")
        st.caption(
            f"No sign-in configured: the dashboard listens on {cfg.host} only, so only "
            "this machine can open it. Add [[users]] to share it with a team."
        )
    else:
        st.text(f"Signed in: {who.name} ({who.role})")
        if st.button("Sign out", key="btn_sign_out"):
            auth.sign_out(who)

chosen = st.navigation(pages, position="top")
# the link emails and webhooks carry is public_url + "/?case=ID": it opens the case
if not chosen.url_path and "case" in st.query_params:
    st.switch_page("app_pages/case.py", query_params={"case": st.query_params["case"]})
try:
    chosen.run()
except Exception as exc:  # st.stop/st.rerun/switch_page are BaseExceptions: they pass
    errors.shown(exc, chosen.url_path)

"""One case: the mention as written, the customer, the timeline, and the work on it."""

import streamlit as st

from dashboard import actions, case_view, case_work, context, display, errors, loaders, reply_view
from storage.casefile import case_file

cfg = context.settings()
who = context.person()

wanted = st.query_params.get("case") or st.session_state.get("case_id")
case_id = errors.record_id(wanted) if wanted else None

if case_id is None:
    st.title("Case")
    if wanted:  # a mistyped or truncated link: say so, in words (the value as plain text)
        st.warning(
            f"“{display.md_escape(display.preview(str(wanted), 40))}” is not a case number. "
            "Check the link, or find the case in the triage queue."
        )
    else:
        st.info("Pick a case in the triage queue (select its row, then “Open case”).")
    st.page_link("app_pages/queue.py", label="Go to the triage queue", icon=":material/inbox:")
    st.stop()

cf = case_file(context.engine(), case_id)
if cf is None:
    st.title("Case")
    st.error(f"There is no case #{case_id}.")
    st.page_link("app_pages/queue.py", label="Back to the triage queue", icon=":material/inbox:")
    st.stop()
assert cf is not None

st.session_state["case_id"] = case_id
st.query_params["case"] = str(case_id)

case_view.stepper(case_id, who)
case_view.header(cf)
actions.show_flash()
context.read_only_notice(who)

reading, working = st.columns([3, 2], gap="large")
with reading:
    case_view.mention_panel(cf)
    reply_view.posted_panel(cf, who, cfg)
    case_view.analysis_panel(cf)
    case_view.customer_panel(cf, who)
    case_view.timeline_panel(cf.case)
with working:
    case_work.stale_notice(cf.case)
    case_work.quick_take(cf, who)
    case_work.work_form(cf, who, cfg, loaders.options()["assignees"])
    case_work.template_panel(cf, who, cfg)
    reply_view.reply_panel(cf, who, cfg)
    case_work.send_panel(cf, who, cfg)

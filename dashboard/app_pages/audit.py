"""The audit trail (admins only): who signed in, changed a case, sent, viewed a customer."""

import streamlit as st

from dashboard import audit_view, context

who = context.person()
if not who.is_admin:
    st.error("Only admins see the audit trail.")
    st.stop()

st.title("Audit trail")
st.caption(
    "Every sign-in and failed sign-in, case change, delivery, link decision, customer file "
    "viewed, reply, forget and retention run — newest first. Nobody can change or delete a "
    "row (the retention run removes rows past `[retention] audit_days` when that is set)."
)
wanted = audit_view.filters()
found = audit_view.rows(wanted)
if not found:
    st.info("No audit row matches these filters.")
    st.stop()
st.caption(f"{len(found):,} rows" + (" (the newest 5,000)" if len(found) >= 5000 else ""))
st.dataframe(audit_view.frame(found), key="audit_table", hide_index=True, width="stretch")
st.download_button(
    "Download CSV",
    audit_view.csv_bytes(found),
    file_name="grapevine-audit.csv",
    mime="text/csv",
    key="audit_csv",
)

"""Customers: find one; see their mentions, cases and the links that tie them together."""

import pandas as pd
import streamlit as st

from dashboard import actions, advocates_view, audit_view, case_view, context, display, loaders
from dashboard.privacy_view import show as privacy_actions
from storage.advocates import customer_events
from storage.casefile import customer_mentions, get_customer, open_case_count_for

who = context.person()

st.title("Customers")
actions.show_flash()
st.text_input(
    "Search",
    key="cu_text",
    placeholder="Name, email, phone, CRM id or handle",
    label_visibility="collapsed",
)
found = loaders.customers(str(st.session_state.get("cu_text") or ""))
if not found:
    st.info(
        "No customer matches. Customers come from the CRM export (customers.csv) that the "
        "daily job imports."
    )
    st.stop()

ids = [row["id"] for row in found]
event = st.dataframe(
    pd.DataFrame(
        [
            {
                "Name": display.preview(row["name"], 60),
                "Email": row["email"] or "",
                "CRM id": row["external_id"],
                "Tier": row["tier"] or "",
                "Lifetime value": display.money(row["lifetime_value"]),
                "Linked mentions": row["confirmed"],
                "Suggested links": row["suggested"],
            }
            for row in found
        ]
    ),
    key="customer_table",
    on_select="rerun",
    selection_mode="single-row",
    hide_index=True,
    width="stretch",
)
wanted = st.query_params.get("customer") or st.session_state.get("customer_id")
positions = event.selection.rows if event is not None else []
if positions:
    wanted = ids[positions[0]]
try:
    customer_id = int(wanted) if wanted else None
except ValueError:
    customer_id = None
customer = get_customer(context.engine(), customer_id) if customer_id else None
if customer is None:
    st.caption("Select a customer to see their file.")
    st.stop()
assert customer is not None

st.session_state["customer_id"] = customer.id
audit_view.viewed_customer(who, customer.id or 0, "customers")
st.query_params["customer"] = str(customer.id)
st.subheader(f"Customer file · CRM id {display.md_escape(customer.external_id)}")
facts = [f"Name: {display.clean(customer.name) or '-'}"]
for label, value in (
    ("Email", customer.email),
    ("Phone", customer.phone),
    ("Tier", customer.tier),
    ("Lifetime value", display.money(customer.lifetime_value) or None),
):
    if value:
        facts.append(f"{label}: {display.clean(value)}")
for platform, handle in (customer.handles or {}).items():
    facts.append(f"On {display.clean(platform)}: {display.clean(handle)}")
st.text("\n".join(facts))
privacy_actions(who, customer)
st.metric("Open cases", open_case_count_for(context.engine(), customer.id or 0))
timeline = customer_events(context.engine(), customer_id=customer.id or 0)
if timeline:
    st.caption("Timeline: thank-yous, review requests, referral invitations (newest first)")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "When": display.as_local(e["at"]),
                    "What": advocates_view.KINDS.get(e["kind"], e["kind"]),
                    "By": e["actor"],
                    "Message": display.preview(e["message"], 120),
                }
                for e in timeline
            ]
        ),
        key="customer_timeline",
        hide_index=True,
        width="stretch",
    )

history = customer_mentions(
    context.engine(), customer.id or 0, statuses=("confirmed", "suggested", "rejected")
)
if not history:
    st.caption("No mention is linked to this customer.")
    st.stop()
st.caption("Mentions, links and cases (newest first)")
table = case_view.history_frame(history)
table.insert(0, "Case id", [row["case_id"] for row in history])
event = st.dataframe(
    table,
    key="customer_history",
    on_select="rerun",
    selection_mode="single-row",
    hide_index=True,
    width="stretch",
    column_config={"Case id": st.column_config.NumberColumn(format="#%d", width="small")},
)
picked = event.selection.rows if event is not None else []
if picked:
    case_id = history[picked[0]]["case_id"]
    if case_id and st.button(f"Open case #{case_id}", key="btn_customer_open_case"):
        st.switch_page("app_pages/case.py", query_params={"case": str(case_id)})
    elif not case_id:
        st.caption("That mention has no case.")

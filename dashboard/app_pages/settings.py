"""Settings and about (admins only): what the dashboard runs with, who may sign in."""

import pandas as pd
import streamlit as st

from dashboard import context, model_view
from storage.engine import describe
from storage.schema import current_revision

cfg = context.settings()
who = context.person()
if not who.is_admin:
    st.error("Only admins see the settings.")
    st.stop()

st.title("Settings")
st.caption(
    "Read only: the dashboard runs with what `grapevine dashboard` handed over from "
    "grapevine.toml. Edit that file and restart the dashboard to change anything."
)
engine = context.engine()
facts = {
    "Config file": cfg.config_path or "(not known)",
    "Database": describe(engine),
    "Schema": current_revision(engine) or "(empty)",
    "Brand": cfg.brand,
    "Competitors": ", ".join(cfg.competitors) or "none",
    "Sources": ", ".join(cfg.sources) or "none",
    "Support-queue targets": ", ".join(cfg.targets) or "none",
    "Service level": f"{cfg.sla_hours:g} h; {cfg.urgent_sla_hours:g} h when priority ≥ "
    f"{cfg.urgent_priority:g}",
    "Follow-ups": ", ".join(f"{d} days" for d in cfg.follow_up_days),
    "Response templates": cfg.templates_dir or "the defaults",
    "Listening on": f"{cfg.host}:{cfg.port}",
}
st.dataframe(
    pd.DataFrame({"Setting": list(facts), "Value": list(facts.values())}),
    hide_index=True,
    width="stretch",
)

st.subheader("Who may sign in")
if not cfg.sign_in_required:
    st.warning(
        "Nobody signs in: the dashboard only listens on 127.0.0.1. Add [[users]] "
        "(password hashes from `grapevine users hash`) or [dashboard.oidc] to share it."
    )
people = [{"Who": u.name, "Role": u.role, "Sign-in": "password"} for u in cfg.users]
if cfg.oidc is not None:
    people += [
        {"Who": email, "Role": role, "Sign-in": f"single sign-on ({cfg.oidc.provider or 'auth'})"}
        for email, role in sorted(cfg.oidc.roles.items())
    ]
    people.append(
        {
            "Who": "anyone else the provider signs in",
            "Role": cfg.oidc.default_role or "refused",
            "Sign-in": "single sign-on",
        }
    )
if people:
    st.dataframe(pd.DataFrame(people), hide_index=True, width="stretch")
st.caption(
    "Roles: viewer reads; responder works cases (assign, status, notes, replies, sending); "
    "admin also sees this page."
)
model_view.render(engine, who)  # the learned models and the switch back

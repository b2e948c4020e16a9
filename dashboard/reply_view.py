"""The case page's answer in place: write the reply, post it on the platform, see it there.

The filled response template is the starting text of an editable area; **Reply publicly** and
(where the platform has them) **Reply privately** post it through the platform's connector
(:mod:`triage.replies`). A failed post shows why and keeps the text. Posted replies show under
the mention with their link, and edit/delete buttons where the platform allows. Only
responders and admins see the buttons; a source without a connector gets a hint to answer on
the platform by hand. The connectors read their credentials from this process's environment
(the variables named in the config's ``*_env`` keys).
"""

import os
import re
from pathlib import Path

import streamlit as st

from dashboard import actions, case_work, context, display
from dashboard.auth import Person
from dashboard.settings import DashboardSettings
from storage.casefile import CaseFile
from storage.tables.replies import Reply
from triage.replies import (
    Channel,
    ReplyOutcome,
    channel,
    delete_reply,
    edit_reply,
    post_reply,
    replies_for,
)
from triage.templates import load_templates, render, suggest

#: What :func:`triage.templates.render` leaves for a value it could not fill (``[product]``).
PLACEHOLDER = re.compile(r"\[[a-z_]+\]")
VISIBILITY_NAMES = {
    "public": "Public",
    "unlisted": "Unlisted (not in public timelines)",
    "private": "Followers only",
    "direct": "Privately (only the author)",
}


def _channel(cf: CaseFile, settings: DashboardSettings) -> Channel:
    return channel(cf.mention, settings.reply_sources, os.environ)


def _done(cf: CaseFile, outcome: ReplyOutcome, text_key: str | None = None) -> None:
    """Flash the outcome; keep working from the case as this person changed it."""
    cid = cf.case.id or 0
    if outcome.case_version is not None:
        seen = case_work.seen_key(cid)
        if st.session_state.get(seen) == cf.case.version:
            st.session_state[seen] = outcome.case_version
    if outcome.ok and text_key:
        st.session_state.pop(text_key, None)
    actions.flash(outcome.message, "success" if outcome.ok else "error")
    st.rerun()


def posted_panel(cf: CaseFile, who: Person, settings: DashboardSettings) -> None:
    """The replies on the platform, under the mention: text, who, when, link; edit/delete."""
    replies = [r for r in replies_for(context.engine(), cf.case.id or 0) if r.state == "posted"]
    if not replies:
        return
    found = _channel(cf, settings)
    connector = found.connector
    for reply in replies:
        with st.container(border=True):
            st.caption(
                f"Our reply on {reply.platform} "
                f"({VISIBILITY_NAMES.get(reply.visibility, reply.visibility).lower()}), "
                f"by {display.clean(reply.posted_by) or 'someone'}, "
                f"{display.local(reply.posted_at)}"
                + (f", edited {display.local(reply.edited_at)}" if reply.edited_at else "")
            )
            st.text(reply.text, wrap=True)
            url = display.safe_url(reply.url)
            if url:
                st.link_button("Open the reply", url, icon=":material/open_in_new:")
            if reply.last_error:
                st.error(reply.last_error)
            if connector is None or not who.can_work:
                continue
            if connector.can_edit or connector.can_delete:
                _change_form(cf, reply, connector.can_edit, connector.can_delete, who, settings)


def _change_form(
    cf: CaseFile,
    reply: Reply,
    can_edit: bool,
    can_delete: bool,
    who: Person,
    settings: DashboardSettings,
) -> None:
    rid = reply.id or 0
    with st.expander("Edit or delete this reply" if can_edit else "Delete this reply"):
        new_text = (
            st.text_area("New text", value=reply.text, key=f"reply_edit_{rid}") if can_edit else ""
        )
        left, right = st.columns(2)
        if can_edit and left.button("Save the edit", key=f"btn_reply_edit_{rid}"):
            _done(
                cf,
                edit_reply(
                    context.engine(),
                    reply_id=rid,
                    text=new_text,
                    actor=who.name,
                    sources=settings.reply_sources,
                    environ=os.environ,
                ),
            )
        if can_delete and right.button("Delete the reply", key=f"btn_reply_delete_{rid}"):
            _done(
                cf,
                delete_reply(
                    context.engine(),
                    reply_id=rid,
                    actor=who.name,
                    sources=settings.reply_sources,
                    environ=os.environ,
                ),
            )


def _template_text(cf: CaseFile, who: Person, settings: DashboardSettings) -> str:
    """The response template chosen in the template panel (or the suggested one), filled in."""
    templates = load_templates(Path(settings.templates_dir) if settings.templates_dir else None)
    if not templates:
        return ""
    chosen = st.session_state.get(f"tpl_{cf.case.id}")
    if chosen not in templates:
        chosen = suggest(templates, cf.mention.aspects or [], cf.mention.label) or templates[0]
    return render(chosen, case_work.template_values(cf, who, settings))


def reply_panel(cf: CaseFile, who: Person, settings: DashboardSettings) -> None:
    """Write the answer and post it where the mention was said."""
    found = _channel(cf, settings)
    connector = found.connector
    st.markdown(f"**Answer on {found.platform}**")
    if connector is None:
        if found.problem:
            st.warning(
                f"Replying on {found.platform} from here is not set up: {found.problem}. "
                f"Until then, copy the text and answer on {found.platform}."
            )
        else:
            st.caption(
                f"Grapevine cannot post on {found.platform}: copy the text and answer on "
                f"{found.platform}, then record “public reply” as the action taken."
            )
        return
    if not who.can_work:
        st.caption("Responders and admins can answer from here.")
        return
    cid = cf.case.id or 0
    drafts = [r for r in replies_for(context.engine(), cid) if r.state in ("failed", "draft")]
    draft = drafts[-1] if drafts else None
    if draft is not None and draft.last_error:
        st.error(f"Not posted: {draft.last_error}")
    key = f"reply_text_{cid}_{draft.id if draft else 'new'}"
    start = draft.text if draft is not None else _template_text(cf, who, settings)
    text = st.text_area(
        "Your reply",
        value=start,
        key=key,
        height=160,
        help="The filled template: adapt it, then post. [placeholders] are what Grapevine "
        "could not fill in.",
    )
    choices: tuple[str, ...] = getattr(connector, "public_visibilities", ("public",))
    visibility = "public"
    if len(choices) > 1:
        visibility = st.radio(
            "Who sees the public reply",
            choices,
            format_func=lambda v: VISIBILITY_NAMES.get(v, v),
            horizontal=True,
            key=f"reply_visibility_{cid}",
        )
    buttons = st.columns(2)
    pressed = None
    if buttons[0].button("Reply publicly", key=f"btn_reply_public_{cid}", type="primary"):
        pressed = visibility
    if connector.can_private and buttons[1].button(
        "Reply privately", key=f"btn_reply_private_{cid}"
    ):
        pressed = "direct"
    if pressed is None:
        return
    if PLACEHOLDER.search(text):
        st.warning("The text still has [placeholders]: fill them in before posting.")
        return
    _done(
        cf,
        post_reply(
            context.engine(),
            case_id=cid,
            text=text,
            visibility=pressed,  # type: ignore[arg-type]
            actor=who.name,
            sources=settings.reply_sources,
            environ=os.environ,
            reply_id=draft.id if draft else None,
        ),
        key,
    )

"""Brand health: how the brand is talked about, how fast the team answers, against whom."""

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from dashboard import context, loaders
from dashboard import health_view as hv
from storage.health import Period
from storage.types import utcnow

cfg = context.settings()
context.person()

st.title("Brand health")
PERIODS = {7: "Last 7 days", 30: "Last 30 days", 90: "Last 90 days", 365: "Last 12 months"}
left, right = st.columns([3, 1])
# starting values in the session, not default=: the entry script keeps h_ keys across pages
st.session_state.setdefault("h_days", 30)
st.session_state.setdefault("h_grain", "day")
days = left.segmented_control(
    "Period", list(PERIODS), format_func=PERIODS.__getitem__, key="h_days"
)
grain = right.segmented_control(
    "Trend by", ["day", "week"], key="h_grain", label_visibility="visible"
)
days = days or 30
grain = grain or "day"
end = datetime.combine(utcnow().date() + timedelta(days=1), time.min, tzinfo=UTC)
period = Period(end - timedelta(days=days), end)
st.caption(
    f"{period.start:%Y-%m-%d} to {(end - timedelta(days=1)):%Y-%m-%d} (UTC days), "
    f"compared with the {days} days before. Own brand unless it says otherwise."
)

data = loaders.brand_health(period)
kpis, before = data["kpis"], data["kpis_before"]
cases, cases_before = data["cases"], data["cases_before"]

row1 = st.columns(5)
hv.kpi(row1[0], "Mentions", kpis["mentions"], before["mentions"], fmt="{:,}", neutral=True)
hv.kpi(
    row1[4],
    "Praise",
    kpis["praise"],
    before["praise"],
    fmt="{:,}",
    help="Positive mentions: the happy voices (see Advocates)",
)
hv.kpi(
    row1[1],
    "Net sentiment",
    kpis["net_sentiment"],
    before["net_sentiment"],
    fmt="{:+.0%}",
    help="Share of positive minus share of negative mentions",
)
hv.kpi(row1[2], "Average rating", kpis["avg_rating"], before["avg_rating"], fmt="{:.2f}")
hv.kpi(
    row1[3],
    "Needing attention",
    kpis["attention_share"],
    before["attention_share"],
    fmt="{:.0%}",
    inverse=True,
    help="Share of mentions that opened (or would open) a case",
)
row2 = st.columns(4)
hv.kpi(
    row2[0],
    "Open cases",
    cases["open_end"],
    cases["open_start"],
    fmt="{:,}",
    inverse=True,
    help="At the end of the period, against its start",
)
hv.kpi(
    row2[1],
    "Median time to first response",
    cases["median_first_action_hours"],
    cases_before["median_first_action_hours"],
    fmt="{:.1f} h",
    inverse=True,
    help="From the case opening to the first reply (public or private) or contact recorded "
    "(a call, a refund…); assigning a case or changing its status is not a response",
)
hv.kpi(
    row2[2],
    "Answered within the SLA",
    cases["sla_share"],
    cases_before["sla_share"],
    fmt="{:.0%}",
    help=f"First response within {cfg.sla_hours:g} h ({cfg.urgent_sla_hours:g} h when urgent)",
)
hv.kpi(row2[3], "Cases opened", cases["opened"], cases_before["opened"], fmt="{:,}", inverse=True)

daily = hv.frame(data["daily"])
in_period = daily[daily["day"] >= period.start.date()]
own = hv.bucket(in_period[~in_period["is_competitor"]], grain)
trend = hv.complete(hv.series(own, ["bucket"]), period.start.date(), end.date(), grain)
marks = hv.spikes(
    daily,
    period.start.date(),
    factor=cfg.spike_factor,
    min_count=cfg.spike_min_count,
    baseline_days=cfg.spike_baseline_days,
)

if own.empty:
    st.info("No mentions of the brand in this period yet.")
    st.stop()

st.subheader("Volume and sentiment")
if not marks.empty:
    st.warning(
        f"{len(marks)} spike day(s) of mentions needing attention, marked in red: "
        + ", ".join(f"{d:%Y-%m-%d}" for d in marks["day"])
    )
st.altair_chart(hv.volume_chart(trend, marks, grain), width="stretch")
st.altair_chart(hv.rating_chart(trend), width="stretch")

st.subheader("By source")
by_source = hv.series(own, ["source"]).sort_values("mentions", ascending=False)
st.dataframe(
    by_source[["source", "mentions", "net_sentiment", "avg_rating", "attention_share"]],
    hide_index=True,
    width="stretch",
    column_config={
        "net_sentiment": st.column_config.NumberColumn("Net sentiment", format="percent"),
        "avg_rating": st.column_config.NumberColumn("Average rating", format="%.2f"),
        "attention_share": st.column_config.NumberColumn("Needing attention", format="percent"),
    },
)
st.altair_chart(
    hv.stacked_chart(hv.series(own, ["bucket", "source"]), "source", "mentions", "Mentions"),
    width="stretch",
)

st.subheader("Complaint themes")
themes = hv.bucket(hv.theme_frame(data["themes"]), grain)
if themes.empty:
    st.caption("No mention needed attention in this period.")
else:
    by_theme = themes.groupby(["bucket", "aspect"], as_index=False)["mentions"].sum()
    st.altair_chart(
        hv.stacked_chart(by_theme, "aspect", "mentions", "Mentions needing attention"),
        width="stretch",
    )

st.subheader("Share of voice")
share = hv.share_of_voice(in_period, cfg.brand)
if len(share) < 2 and not cfg.competitors:
    st.caption("Add [[competitors]] to the config to compare share of voice.")
st.altair_chart(hv.share_chart(share), width="stretch")

st.subheader("Download")
cols = st.columns(3)
with cols[0]:
    hv.download("Trend (CSV)", trend, f"brand-health-trend-{grain}.csv", "dl_trend")
with cols[1]:
    hv.download("By source (CSV)", by_source, "brand-health-sources.csv", "dl_sources")
with cols[2]:
    hv.download("Share of voice (CSV)", share, "brand-health-share.csv", "dl_share")

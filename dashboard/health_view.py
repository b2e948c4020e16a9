"""Brand health from the aggregates of :mod:`storage.health`: KPIs, series, spikes, charts.

The functions here shape data (pandas) and draw (Altair); the page arranges them.
"""

from datetime import date, timedelta
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from storage.health import derived

COUNTS = ["mentions", "positive", "negative", "sentiment_sum", "rating_sum", "rated", "attention"]


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The daily rows as a frame (``day`` as a date)."""
    columns = ["day", "brand", "is_competitor", "source", *COUNTS]
    data = pd.DataFrame(rows, columns=columns)
    data["day"] = pd.to_datetime(data["day"]).dt.date
    data["is_competitor"] = data["is_competitor"].astype(bool)
    return data.astype({key: float for key in COUNTS})


def bucket(data: pd.DataFrame, grain: str) -> pd.DataFrame:
    """Add ``bucket``: the day itself, or the Monday of its week."""
    data = data.copy()
    if grain == "week":
        data["bucket"] = data["day"].map(lambda d: d - timedelta(days=d.weekday()))
    else:
        data["bucket"] = data["day"]
    return data


def series(data: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Counts summed by ``by`` with the ratios (net sentiment, average rating, attention)."""
    if data.empty:
        return pd.DataFrame(columns=[*by, *COUNTS, "net_sentiment", "avg_rating"])
    summed = data.groupby(by, as_index=False)[COUNTS].sum()
    ratios = pd.DataFrame([derived(row) for row in summed.to_dict("records")])
    return ratios


def spikes(
    data: pd.DataFrame, start: date, *, factor: float, min_count: int, baseline_days: int
) -> pd.DataFrame:
    """Days from ``start`` whose mentions needing attention (own brand) reached ``factor``
    times the average of the ``baseline_days`` before, and at least ``min_count``."""
    own = data[~data["is_competitor"]]
    daily = own.groupby("day")["attention"].sum()
    if daily.empty:
        return pd.DataFrame(columns=["day", "attention", "baseline"])
    days = pd.date_range(daily.index.min(), daily.index.max(), freq="D").date
    daily = daily.reindex(days, fill_value=0)
    baseline = daily.shift(1).rolling(baseline_days, min_periods=3).mean()
    marked = pd.DataFrame({"day": days, "attention": daily.values, "baseline": baseline.values})
    marked = marked[marked["day"] >= start]
    hit = (marked["attention"] >= min_count) & (
        marked["attention"] >= factor * marked["baseline"].fillna(0).clip(lower=1e-9)
    )
    return marked[hit & marked["baseline"].notna()]


def kpi(
    column: Any,
    label: str,
    now: float | None,
    before: float | None,
    *,
    fmt: str,
    delta_fmt: str | None = None,
    inverse: bool = False,
    neutral: bool = False,
    help: str | None = None,
) -> None:
    """One metric with its change against the previous period."""
    value = fmt.format(now) if now is not None else "n/a"
    delta = None
    if now is not None and before is not None:
        delta = (delta_fmt or fmt).format(now - before)
        if not delta.startswith("-"):
            delta = "+" + delta
    column.metric(
        label,
        value,
        delta,
        delta_color="off" if neutral else "inverse" if inverse else "normal",
        help=help,
        border=True,
    )


def volume_chart(trend: pd.DataFrame, marks: pd.DataFrame, grain: str) -> Any:
    """Mentions per day/week (bars) and net sentiment (line), spikes marked in red."""
    base = alt.Chart(trend).encode(x=alt.X("bucket:T", title=None))
    bars = base.mark_bar(opacity=0.55).encode(
        y=alt.Y("mentions:Q", title="Mentions"),
        tooltip=[
            alt.Tooltip("bucket:T", title=grain),
            "mentions:Q",
            "attention:Q",
            alt.Tooltip("net_sentiment:Q", format="+.0%"),
        ],
    )
    line = base.mark_line(point=True, color="#2e7d32").encode(
        y=alt.Y("net_sentiment:Q", title="Net sentiment", axis=alt.Axis(format="+%"))
    )
    layers: list[Any] = [alt.layer(bars, line).resolve_scale(y="independent")]
    if not marks.empty:
        rules = (
            alt.Chart(marks)
            .mark_rule(color="#c62828", strokeWidth=2, strokeDash=[4, 3])
            .encode(
                x="day:T",
                tooltip=[
                    alt.Tooltip("day:T", title="spike"),
                    alt.Tooltip("attention:Q", title="needing attention"),
                    alt.Tooltip("baseline:Q", format=".1f", title="usual"),
                ],
            )
        )
        layers.append(rules)
    return alt.layer(*layers).properties(height=260)


def rating_chart(trend: pd.DataFrame) -> alt.Chart:
    """Average rating over time."""
    return (
        alt.Chart(trend.dropna(subset=["avg_rating"]))
        .mark_line(point=True)
        .encode(
            x=alt.X("bucket:T", title=None),
            y=alt.Y("avg_rating:Q", title="Average rating", scale=alt.Scale(domain=[1, 5])),
            tooltip=["bucket:T", alt.Tooltip("avg_rating:Q", format=".2f"), "rated:Q"],
        )
        .properties(height=200)
    )


def stacked_chart(data: pd.DataFrame, field: str, value: str, title: str) -> alt.Chart:
    """Bars per day/week stacked by ``field``."""
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("bucket:T", title=None),
            y=alt.Y(f"{value}:Q", title=title),
            color=alt.Color(f"{field}:N", title=None),
            tooltip=["bucket:T", f"{field}:N", f"{value}:Q"],
        )
        .properties(height=240)
    )


def share_chart(share: pd.DataFrame) -> alt.Chart:
    """Share of voice: each brand's share of the period's mentions."""
    return (
        alt.Chart(share)
        .mark_bar()
        .encode(
            x=alt.X("share:Q", title="Share of mentions", axis=alt.Axis(format="%")),
            y=alt.Y("brand:N", title=None, sort="-x"),
            color=alt.Color("kind:N", title=None),
            tooltip=["brand:N", "mentions:Q", alt.Tooltip("share:Q", format=".0%")],
        )
        .properties(height=max(80, 36 * len(share)))
    )


def download(label: str, data: pd.DataFrame, name: str, key: str) -> None:
    """A CSV download of ``data``."""
    st.download_button(
        label,
        data.to_csv(index=False).encode("utf-8"),
        file_name=name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
    )


def theme_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Complaint themes (day, aspect, mentions) as a frame."""
    data = pd.DataFrame(rows, columns=["day", "aspect", "mentions"])
    data["day"] = pd.to_datetime(data["day"]).dt.date
    return data


def share_of_voice(data: pd.DataFrame, own_brand: str) -> pd.DataFrame:
    """Each brand's mentions and share in the period, the own brand first."""
    if data.empty:
        return pd.DataFrame(columns=["brand", "kind", "mentions", "share"])
    counts = data.groupby(["brand", "is_competitor"], as_index=False)["mentions"].sum()
    counts["brand"] = counts["brand"].replace("", own_brand)
    counts["kind"] = counts["is_competitor"].map({True: "competitor", False: "own brand"})
    counts["share"] = counts["mentions"] / counts["mentions"].sum()
    counts = counts.sort_values(["is_competitor", "mentions"], ascending=[True, False])
    return counts[["brand", "kind", "mentions", "share"]].reset_index(drop=True)

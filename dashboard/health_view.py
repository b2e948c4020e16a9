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


def complete(trend: pd.DataFrame, start: date, end: date, grain: str) -> pd.DataFrame:
    """``trend`` with a row for every day/week from ``start`` to ``end`` (excluded): a
    bucket nobody spoke in has 0 mentions and no sentiment or rating (``NaN``), so a line
    is not drawn across it as if it had been measured."""
    step = timedelta(days=7 if grain == "week" else 1)
    first = start - timedelta(days=start.weekday()) if grain == "week" else start
    buckets = []
    while first < end:
        buckets.append(first)
        first += step
    full = pd.DataFrame({"bucket": buckets})
    if trend.empty:
        merged = full.assign(**{key: 0.0 for key in ("mentions", "attention", "rated")})
        return merged.assign(net_sentiment=float("nan"), avg_rating=float("nan"))
    merged = full.merge(trend, on="bucket", how="left")
    for key in ("mentions", "attention", "rated"):
        if key in merged:
            merged[key] = merged[key].fillna(0.0)
    return merged


def segments(trend: pd.DataFrame, field: str) -> pd.DataFrame:
    """The rows where ``field`` was measured, each with the ``segment`` it belongs to: a
    bucket without a value ends a segment, so the line breaks there (a lone day is a point)."""
    if trend.empty or field not in trend:
        return pd.DataFrame(columns=["bucket", field, "segment"])
    ordered = trend.sort_values("bucket")
    missing = ordered[field].isna()
    data = ordered.assign(segment=missing.cumsum())
    return data[~missing].reset_index(drop=True)


def volume_chart(trend: pd.DataFrame, marks: pd.DataFrame, grain: str) -> Any:
    """Mentions per day/week (bars) and net sentiment (line), spikes marked in red.

    The sentiment line is drawn only between buckets that had mentions (see
    :func:`segments`); every measured bucket is a point."""
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
    line = (
        alt.Chart(segments(trend, "net_sentiment"))
        .mark_line(point=alt.OverlayMarkDef(color="#2e7d32", size=40), color="#2e7d32")
        .encode(
            x=alt.X("bucket:T", title=None),
            y=alt.Y("net_sentiment:Q", title="Net sentiment", axis=alt.Axis(format="+%")),
            detail="segment:N",
            tooltip=[
                alt.Tooltip("bucket:T", title=grain),
                alt.Tooltip("net_sentiment:Q", format="+.0%"),
            ],
        )
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
        alt.Chart(segments(trend, "avg_rating"))
        .mark_line(point=True)
        .encode(
            x=alt.X("bucket:T", title=None),
            y=alt.Y("avg_rating:Q", title="Average rating", scale=alt.Scale(domain=[1, 5])),
            detail="segment:N",
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


def share_chart(share: pd.DataFrame) -> Any:
    """Share of voice: each brand's share of the period's mentions, as labelled bars.

    At least 220 px high whatever the number of brands (one or two brands made a strip of
    a few pixels with the labels on top of each other); the brand names get their own
    column of labels, the share is written at the end of each bar, the legend sits below."""
    base = alt.Chart(share).encode(
        y=alt.Y("brand:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220, labelFontSize=13)),
        x=alt.X(
            "share:Q",
            title="Share of mentions",
            axis=alt.Axis(format="%", tickCount=5),
            scale=alt.Scale(domain=[0, 1]),
        ),
    )
    bars = base.mark_bar(size=28).encode(
        color=alt.Color("kind:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[
            "brand:N",
            "mentions:Q",
            alt.Tooltip("share:Q", format=".0%"),
            alt.Tooltip("praise:Q", title="praise (positive)"),
            alt.Tooltip("praise_share:Q", format=".0%", title="praise share"),
        ],
    )
    labels = base.mark_text(align="left", dx=4, fontSize=13).encode(
        text=alt.Text("share:Q", format=".0%")
    )
    return alt.layer(bars, labels).properties(height=max(220, 56 * len(share)))


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
    """Each brand's mentions and share in the period, the own brand first, with its praise
    (positive mentions) and the share of its mentions that are praise."""
    columns = ["brand", "kind", "mentions", "share", "praise", "praise_share"]
    if data.empty:
        return pd.DataFrame(columns=columns)
    counts = data.groupby(["brand", "is_competitor"], as_index=False)[
        ["mentions", "positive"]
    ].sum()
    counts["praise"] = counts["positive"]
    counts["praise_share"] = counts["praise"] / counts["mentions"].where(counts["mentions"] > 0)
    counts["brand"] = counts["brand"].replace("", own_brand)
    counts["kind"] = counts["is_competitor"].map({True: "competitor", False: "own brand"})
    counts["share"] = counts["mentions"] / counts["mentions"].sum()
    counts = counts.sort_values(["is_competitor", "mentions"], ascending=[True, False])
    return counts[columns].reset_index(drop=True)

#!/usr/bin/python3
"""The per-customer feature table with pandas: what a user would write without Segmenta.

    /usr/bin/python3 bench/pandas_baseline.py DIR/data OUT.csv [--as-of YYYY-MM-DD]

Reads DIR/data/customers.csv and DIR/data/events.csv, coerces types (a value that does
not parse becomes missing), drops events without a customer id, a parseable time or an
event type, purchases and refunds without an amount, and events of unknown customers,
then computes the features of ARCHITECTURE.md ("Features") with vectorised pandas
(groupby / aggregation, no per-customer Python loop) and writes one row per customer,
ordered by customer_id, as CSV (Debian 12 has no pyarrow, so no Parquet here).

Cleaning mirrors segmenta's ingest: text trimmed, empty -> missing, event type
lower-cased, refunds negative, a purchase with a negative amount is a refund.
"""
import argparse
import sys
import time

import numpy as np
import pandas as pd

TOP_N = 5
HOLIDAY = ((11, 15), (12, 31))  # inclusive month/day window
NEW_DAYS, ACTIVE_DAYS, LAPSED_DAYS, SUPPORT_PENDING_DAYS = 30, 90, 180, 14


def log(message, started=[time.monotonic()]):
    print(f"pandas: {time.monotonic() - started[0]:7.2f} s  {message}", file=sys.stderr)


def clean_text(series, lower=False):
    """Trimmed (optionally lower-cased) text as a categorical; '' becomes missing."""
    old = series.cat.categories.str.strip()
    if lower:
        old = old.str.lower()
    new = pd.Index(old[old != ""].unique())
    recode = np.append(new.get_indexer(old), -1)  # code -1 (missing) stays missing
    codes = recode[series.cat.codes.to_numpy()]
    return pd.Series(pd.Categorical.from_codes(codes, new), index=series.index)


def read_customers(path):
    ids = pd.read_csv(path, usecols=["customer_id"], dtype=str, keep_default_na=False)
    ids = ids["customer_id"].str.strip()
    ids = ids[ids != ""].drop_duplicates()
    return pd.Index(ids.sort_values().to_numpy(), name="customer_id")


def read_events(path, customers):
    text_columns = ["customer_id", "type", "order_id", "channel", "category", "campaign"]
    ev = pd.read_csv(path, keep_default_na=False,
                     dtype={c: "category" for c in text_columns} |
                     {"ts": str, "amount": str, "score": str})
    log(f"read {len(ev):,} events")
    for column in text_columns:
        ev[column] = clean_text(ev[column], lower=(column == "type"))
    ev["ts"] = pd.to_datetime(ev["ts"].str.strip(), format="%Y-%m-%d %H:%M:%S", errors="coerce")
    ev["amount"] = pd.to_numeric(ev["amount"].str.strip(), errors="coerce")
    ev["score"] = pd.to_numeric(ev["score"].str.strip(), errors="coerce")
    # Customer ids become positions in the sorted customer index (-1: unknown).
    ev["cid"] = customers.get_indexer(ev["customer_id"].astype(object))
    ev = ev.drop(columns="customer_id")
    money = ev["type"].isin(["purchase", "refund"])
    keep = (ev["cid"] >= 0) & ev["ts"].notna() & ev["type"].notna() & \
        ~(money & ev["amount"].isna())
    ev = ev[keep]
    refund = (ev["type"] == "refund") | ((ev["type"] == "purchase") & (ev["amount"] < 0))
    ev["type"] = ev["type"].astype(object).where(~refund, "refund").astype("category")
    ev["amount"] = ev["amount"].where(~refund, -ev["amount"].abs())
    log(f"cleaned: {len(ev):,} events kept")
    return ev


def sanitise(value):
    """Column-name suffix as segmenta makes it: ASCII letters and digits lower-cased,
    every other byte of the UTF-8 text '_'."""
    return "".join(chr(b).lower() if b < 128 and chr(b).isalnum() else "_"
                   for b in value.encode())


def unique_suffixes(values):
    """sanitise() of each value, with _2, _3 ... where two collide (as segmenta does)."""
    taken, suffixes = set(), []
    for value in values:
        base = suffix = sanitise(value)
        copy = 2
        while suffix in taken:
            suffix, copy = f"{base}_{copy}", copy + 1
        taken.add(suffix)
        suffixes.append(suffix)
    return suffixes


def count_orders(rows):
    """Orders per customer: distinct order_ids, plus one per row without an order_id."""
    with_id = rows[rows["order_id"].notna()].groupby("cid")["order_id"].nunique()
    without_id = rows[rows["order_id"].isna()].groupby("cid").size()
    return with_id.add(without_id, fill_value=0)


def top_values(purchases, column):
    revenue = purchases.groupby(column, observed=True)["amount"].sum().reset_index()
    revenue = revenue.sort_values(["amount", column], ascending=[False, True], kind="stable")
    return list(revenue[column].head(TOP_N).astype(str))


def compute(customers, ev, as_of):
    n = len(customers)
    out = pd.DataFrame(index=pd.RangeIndex(n, name="cid"))
    ev = ev[ev["ts"] < as_of].copy()
    ev["d"] = ev["ts"].dt.normalize()
    ev["days_ago"] = (as_of - ev["d"]).dt.days
    is_p = (ev["type"] == "purchase") & (ev["amount"] > 0)
    is_net = is_p | (ev["type"] == "refund")
    p = ev[is_p]
    net = ev[is_net]

    last_p = p.groupby("cid")["d"].max()
    first_p = p.groupby("cid")["d"].min()
    out["recency_days"] = (as_of - last_p).dt.days.reindex(out.index).astype("Int64")
    frequency = count_orders(p).reindex(out.index, fill_value=0).astype("int64")
    out["frequency"] = frequency
    out["monetary"] = net.groupby("cid")["amount"].sum().reindex(out.index, fill_value=0.0)
    out["avg_order_value"] = (out["monetary"] / frequency).where(frequency > 0)
    out["tenure_days"] = (as_of - first_p).dt.days.reindex(out.index).astype("Int64")

    days = p[["cid", "d"]].drop_duplicates().sort_values(["cid", "d"])
    gap = days["d"].diff().dt.days.where(days["cid"].eq(days["cid"].shift()))
    gaps = pd.DataFrame({"cid": days["cid"].to_numpy(), "gap": gap.to_numpy()})
    by_cid = gaps.groupby("cid")["gap"]
    n_gaps = by_cid.count().reindex(out.index, fill_value=0)
    mean = by_cid.mean().reindex(out.index)
    std = by_cid.std(ddof=0).reindex(out.index)
    last_gap = by_cid.last().reindex(out.index)
    out["interpurchase_days_mean"] = mean.where(n_gaps >= 1)
    out["interpurchase_days_cv"] = (std / mean).where((n_gaps >= 2) & (mean > 0))

    recent = net[net["days_ago"] <= 90].groupby("cid")["amount"].sum()
    before = net[(net["days_ago"] > 90) & (net["days_ago"] <= 180)].groupby("cid")["amount"].sum()
    out["revenue_trend"] = recent.reindex(out.index, fill_value=0.0) - \
        before.reindex(out.index, fill_value=0.0)

    revenue = p.groupby("cid")["amount"].sum().reindex(out.index)
    for column, prefix in (("category", "category_share_"), ("channel", "channel_share_")):
        top = top_values(p, column)
        rows = p[p[column].isin(top)]
        wide = rows.groupby(["cid", rows[column].astype(str)])["amount"].sum().unstack()
        wide = wide.reindex(index=out.index, columns=top).fillna(0.0)
        for value, suffix in zip(top, unique_suffixes(top)):
            out[prefix + suffix] = (wide[value] / revenue).where(revenue > 0)

    by_channel = p[p["channel"].notna()].groupby(["cid", "channel"], observed=True)["amount"] \
        .sum().reset_index()
    by_channel["channel"] = by_channel["channel"].astype(str)
    by_channel = by_channel.sort_values(["cid", "amount", "channel"],
                                        ascending=[True, False, True], kind="stable")
    preferred = by_channel.drop_duplicates("cid").set_index("cid")["channel"]
    out["preferred_channel"] = preferred.reindex(out.index)

    promo = count_orders(p[p["campaign"].notna()]).reindex(out.index, fill_value=0)
    month, day = p["d"].dt.month, p["d"].dt.day
    (start_m, start_d), (end_m, end_d) = HOLIDAY
    md = month * 100 + day
    holiday = count_orders(p[(md >= start_m * 100 + start_d) & (md <= end_m * 100 + end_d)]) \
        .reindex(out.index, fill_value=0)
    out["promo_share"] = (promo / frequency).where(frequency > 0)
    out["holiday_share"] = (holiday / frequency).where(frequency > 0)

    counts = ev.groupby(["cid", "type"], observed=True).size().unstack(fill_value=0)
    counts = counts.reindex(index=out.index, fill_value=0)

    def count(event_type):
        return counts[event_type] if event_type in counts else pd.Series(0, index=out.index)

    sends = count("email_sent")
    out["email_open_rate"] = (count("email_open") / sends).where(sends > 0)
    out["email_click_rate"] = (count("email_click") / sends).where(sends > 0)

    def windowed(event_type, window):
        rows = ev[(ev["type"] == event_type) & (ev["days_ago"] <= window)]
        return rows.groupby("cid").size().reindex(out.index, fill_value=0).astype("int64")

    out["visits_30d"] = windowed("visit", 30)
    out["cart_abandons_90d"] = windowed("cart_abandon", 90)
    out["support_contacts_90d"] = windowed("support_contact", 90)

    feedback = ev[ev["type"] == "feedback"]
    scored = feedback[feedback["score"].notna()].sort_values(["cid", "ts"], kind="stable")
    latest = scored.drop_duplicates("cid", keep="last").set_index("cid")
    out["last_feedback_score"] = latest["score"].reindex(out.index)

    support = ev[(ev["type"] == "support_contact") & (ev["days_ago"] <= SUPPORT_PENDING_DAYS)]
    last_support = support.groupby("cid")["ts"].max().reindex(out.index)
    last_feedback = feedback.groupby("cid")["ts"].max().reindex(out.index)
    recency, tenure = out["recency_days"], out["tenure_days"]
    has_p = recency.notna().to_numpy()
    rec = recency.fillna(-1).to_numpy()
    conditions = [
        ~has_p,
        (last_support.notna() & (last_feedback.isna() | (last_feedback <= last_support))).to_numpy(),
        has_p & (tenure.fillna(-1).to_numpy() <= NEW_DAYS),
        has_p & (rec <= ACTIVE_DAYS) & (last_gap.fillna(-1).to_numpy() > LAPSED_DAYS),
        has_p & (rec <= ACTIVE_DAYS) & (frequency.to_numpy() >= 2),
        has_p & (rec <= ACTIVE_DAYS),
        has_p & (rec <= LAPSED_DAYS),
    ]
    stages = ["prospect", "support-pending", "new", "reactivated", "repeat", "active", "lapsing"]
    out["journey_stage"] = np.select(conditions, stages, default="lapsed")
    out.insert(0, "customer_id", customers.to_numpy())
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", help="folder with customers.csv and events.csv")
    parser.add_argument("out", help="output CSV file")
    parser.add_argument("--as-of", help="YYYY-MM-DD (default: the day after the newest event)")
    args = parser.parse_args()
    customers = read_customers(f"{args.data}/customers.csv")
    log(f"read {len(customers):,} customers")
    ev = read_events(f"{args.data}/events.csv", customers)
    as_of = pd.Timestamp(args.as_of) if args.as_of else ev["ts"].max().normalize() + pd.Timedelta(days=1)
    features = compute(customers, ev, as_of)
    log(f"computed {features.shape[1] - 1} features as of {as_of.date()}")
    features.to_csv(args.out, index=False)
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()

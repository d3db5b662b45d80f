#include "features/definitions.h"

namespace segmenta::features {
namespace {

// "In the last N days" is always as_of − N ≤ date < as_of, i.e. `age <= N`: an event on
// the day before as_of has age 1, so the window holds exactly N days.

// Layer 1: each event before as_of. `{x}` here are the columns of `events`.
constexpr EventColumn kEventColumns[] = {
    {"customer_id", "{customer_id}"},
    {"ts", "{ts}"},
    {"type", "{type}"},
    {"amount", "{amount}"},
    {"order_id", "nullif({order_id}, '')"},
    {"channel", "nullif({channel}, '')"},
    {"category", "nullif({category}, '')"},
    {"score", "{score}"},
    // Whole days from the event's date to as_of: 1 for an event on the day before.
    {"age", "{days_to_as_of(ts)}"},
    {"is_purchase", "{type} = 'purchase' AND {amount} > 0"},
    // Purchases and refunds: the events that make net revenue.
    {"is_money", "({type} = 'purchase' AND {amount} > 0) OR {type} = 'refund'"},
    {"is_promo", "coalesce({campaign}, '') <> '' OR coalesce({:discount} > 0, false)"},
    {"in_holiday", "{:in_holiday}"},
};

// Layer 2a: one GROUP BY customer_id per pass; each event is read by one pass at most.
constexpr PassDefinition kPasses[] = {
    {Pass::kMoney, "money_pass", "{is_money}"},
    {Pass::kActivity, "activity_pass", "NOT ({is_money})"},
};

// The per-customer aggregates of the passes.
constexpr AggregateDefinition kAggregates[] = {
    {"first_purchase_age", Pass::kMoney, Repeat::kOnce, "max", "{age}", "", "{is_purchase}"},
    {"last_purchase_age", Pass::kMoney, Repeat::kOnce, "min", "{age}", "", "{is_purchase}"},
    {"net_revenue", Pass::kMoney, Repeat::kOnce, "sum", "{amount}", "", "{is_money}"},
    {"purchase_revenue", Pass::kMoney, Repeat::kOnce, "sum", "{amount}", "", "{is_purchase}"},
    {"revenue_last_90d", Pass::kMoney, Repeat::kOnce, "sum", "{amount}", "",
     "{is_money} AND {age} <= 90"},
    {"revenue_prior_90d", Pass::kMoney, Repeat::kOnce, "sum", "{amount}", "",
     "{is_money} AND {age} > 90 AND {age} <= 180"},
    {"category_revenue_#", Pass::kMoney, Repeat::kPerTopCategory, "sum", "{amount}", "",
     "{is_purchase} AND {category} = {:value}"},
    {"channel_revenue_#", Pass::kMoney, Repeat::kPerChannel, "sum", "{amount}", "",
     "{is_purchase} AND {channel} = {:value}"},
    {"emails_sent", Pass::kActivity, Repeat::kOnce, "count", "", "", "{type} = 'email_sent'"},
    {"emails_opened", Pass::kActivity, Repeat::kOnce, "count", "", "", "{type} = 'email_open'"},
    {"emails_clicked", Pass::kActivity, Repeat::kOnce, "count", "", "", "{type} = 'email_click'"},
    {"visits_30d", Pass::kActivity, Repeat::kOnce, "count", "", "",
     "{type} = 'visit' AND {age} <= 30"},
    {"cart_abandons_90d", Pass::kActivity, Repeat::kOnce, "count", "", "",
     "{type} = 'cart_abandon' AND {age} <= 90"},
    {"support_contacts_90d", Pass::kActivity, Repeat::kOnce, "count", "", "",
     "{type} = 'support_contact' AND {age} <= 90"},
    // For support-pending only the last support_pending_days days matter: a feedback
    // after a support contact in that window is in the window too.
    {"pending_support_ts", Pass::kActivity, Repeat::kOnce, "max", "{ts}", "",
     "{type} = 'support_contact' AND {age} <= {:support_pending_days}"},
    {"pending_feedback_ts", Pass::kActivity, Repeat::kOnce, "max", "{ts}", "",
     "{type} = 'feedback' AND {age} <= {:support_pending_days}"},
    {"last_feedback_score", Pass::kActivity, Repeat::kOnce, "arg_max", "{score}", "{ts}",
     "{type} = 'feedback' AND {score} IS NOT NULL"},
};

// Layer 2b: what the passes cannot count. Each reads only the purchases.
constexpr SourceDefinition kSources[] = {
    // Orders: one per distinct order_id, and one per purchase without an order_id. An
    // order is a promo / holiday order when any of its purchases is.
    {"order_counts", SourceUse::kAlways, R"sql(
SELECT {customer_id},
       sum(CASE WHEN {order_id} IS NULL THEN {n} ELSE 1 END) AS {orders},
       sum(CASE WHEN {order_id} IS NULL THEN {n_promo} WHEN {n_promo} > 0 THEN 1 ELSE 0 END)
         AS {promo_orders},
       sum(CASE WHEN {order_id} IS NULL THEN {n_holiday} WHEN {n_holiday} > 0 THEN 1 ELSE 0 END)
         AS {holiday_orders}
FROM (SELECT {customer_id}, {order_id}, count(*) AS {n},
             count(CASE WHEN {is_promo} THEN 1 END) AS {n_promo},
             count(CASE WHEN {in_holiday} THEN 1 END) AS {n_holiday}
      FROM {:purchases}
      GROUP BY {customer_id}, {order_id}) AS {per_order}
GROUP BY {customer_id})sql"},
    // Gaps in days between consecutive distinct purchase days, oldest first. Purchases on
    // the same day give a gap of 0 and are left out, so no DISTINCT pass is needed.
    {"purchase_gaps", SourceUse::kAlways, R"sql(
SELECT {customer_id}, count(*) AS {gap_count}, avg({gap}) AS {gap_mean},
       stddev_pop({gap}) AS {gap_stddev}, {arg_min(gap, age)} AS {last_gap}
FROM (SELECT {customer_id}, {age},
             lag({age}) OVER (PARTITION BY {customer_id} ORDER BY {age} DESC) - {age} AS {gap}
      FROM {:purchases}) AS {purchase_rows}
WHERE {gap} > 0
GROUP BY {customer_id})sql"},
    // With few channels preferred_channel compares the money pass's channel_revenue_#
    // inline; with many it needs this grouping by channel.
    {"channel_preference", SourceUse::kManyChannels, R"sql(
SELECT {customer_id}, {arg_max_smallest_on_ties(channel, revenue)} AS {preferred_channel}
FROM (SELECT {customer_id}, {channel}, sum({amount}) AS {revenue}
      FROM {:purchases}
      WHERE {channel} IS NOT NULL
      GROUP BY {customer_id}, {channel}) AS {per_channel}
GROUP BY {customer_id})sql"},
};

// Layer 3: the features, in column order. Descriptions are the user-facing contract.
constexpr FeatureDefinition kFeatures[] = {
    {"recency_days", FeatureType::kInteger, Repeat::kOnce,
     "Whole days from the date of the last purchase (amount > 0) to as_of; NULL without "
     "purchases.",
     "{last_purchase_age}"},
    {"frequency", FeatureType::kInteger, Repeat::kOnce,
     "Orders: distinct order_ids among purchases, each purchase without an order_id "
     "counting as one order; 0 without purchases.",
     "coalesce({orders}, 0)"},
    {"monetary", FeatureType::kNumber, Repeat::kOnce,
     "Net revenue: the sum of amount over purchases and refunds; 0 without any.",
     "coalesce({net_revenue}, 0)"},
    {"avg_order_value", FeatureType::kNumber, Repeat::kOnce,
     "monetary / frequency; NULL when frequency is 0.",
     "coalesce({net_revenue}, 0) / nullif({orders}, 0)"},
    {"tenure_days", FeatureType::kInteger, Repeat::kOnce,
     "Whole days from the date of the first purchase to as_of; NULL without purchases.",
     "{first_purchase_age}"},
    {"interpurchase_days_mean", FeatureType::kNumber, Repeat::kOnce,
     "Mean of the gaps in days between consecutive distinct purchase days; NULL with fewer "
     "than two purchase days.",
     "{gap_mean}"},
    {"interpurchase_days_cv", FeatureType::kNumber, Repeat::kOnce,
     "Coefficient of variation of those gaps (population standard deviation / mean); NULL "
     "with fewer than two gaps.",
     "CASE WHEN {gap_count} >= 2 AND {gap_mean} > 0 THEN {gap_stddev} / {gap_mean} END"},
    {"revenue_trend", FeatureType::kNumber, Repeat::kOnce,
     "Net revenue dated as_of-90 <= date < as_of minus net revenue dated as_of-180 <= date < "
     "as_of-90; 0 without any.",
     "coalesce({revenue_last_90d}, 0) - coalesce({revenue_prior_90d}, 0)"},
    {"category_share_", FeatureType::kNumber, Repeat::kPerTopCategory,
     "The customer's purchase revenue in this category / their purchase revenue, for each of "
     "the top_categories categories with the most purchase revenue (ties by name); NULL "
     "without purchases.",
     "coalesce({category_revenue_#}, 0) / {purchase_revenue}"},
    {"channel_share_", FeatureType::kNumber, Repeat::kPerTopChannel,
     "The customer's purchase revenue in this channel / their purchase revenue, for each of "
     "the top_channels channels with the most purchase revenue (ties by name); NULL without "
     "purchases.",
     "coalesce({channel_revenue_#}, 0) / {purchase_revenue}"},
    {"preferred_channel", FeatureType::kText, Repeat::kOnce,
     "The channel with the most purchase revenue (ties: alphabetically first); NULL without "
     "a purchase that has a channel.",
     "{:preferred_channel}"},
    {"promo_share", FeatureType::kNumber, Repeat::kOnce,
     "Share of orders with a purchase that has a non-empty campaign or props.discount > 0; "
     "NULL without orders.",
     "CAST({promo_orders} AS DOUBLE) / nullif({orders}, 0)"},
    {"holiday_share", FeatureType::kNumber, Repeat::kOnce,
     "Share of orders with a purchase dated inside a holiday window (inclusive, default "
     "Nov 15 - Dec 31); NULL without orders.",
     "CAST({holiday_orders} AS DOUBLE) / nullif({orders}, 0)"},
    {"email_open_rate", FeatureType::kNumber, Repeat::kOnce,
     "email_open events / email_sent events; NULL without email_sent.",
     "CAST({emails_opened} AS DOUBLE) / nullif({emails_sent}, 0)"},
    {"email_click_rate", FeatureType::kNumber, Repeat::kOnce,
     "email_click events / email_sent events; NULL without email_sent.",
     "CAST({emails_clicked} AS DOUBLE) / nullif({emails_sent}, 0)"},
    {"visits_30d", FeatureType::kInteger, Repeat::kOnce,
     "visit events dated as_of-30 <= date < as_of; 0 if none.", "coalesce({visits_30d}, 0)"},
    {"cart_abandons_90d", FeatureType::kInteger, Repeat::kOnce,
     "cart_abandon events dated as_of-90 <= date < as_of; 0 if none.",
     "coalesce({cart_abandons_90d}, 0)"},
    {"support_contacts_90d", FeatureType::kInteger, Repeat::kOnce,
     "support_contact events dated as_of-90 <= date < as_of; 0 if none.",
     "coalesce({support_contacts_90d}, 0)"},
    {"last_feedback_score", FeatureType::kNumber, Repeat::kOnce,
     "score of the latest feedback event that has a score; NULL if none.", "{last_feedback_score}"},
    {"journey_stage", FeatureType::kText, Repeat::kOnce,
     "The first that holds: prospect (no purchase); support-pending (a support_contact "
     "within the last support_pending_days days, no feedback event after it); new "
     "(tenure_days <= new_days); reactivated (recency_days <= active_days and more than "
     "lapsed_days days between the last two purchase days); repeat (recency_days <= "
     "active_days, frequency >= 2); active (recency_days <= active_days); lapsing "
     "(recency_days <= lapsed_days); lapsed.",
     R"sql(CASE
  WHEN {last_purchase_age} IS NULL THEN 'prospect'
  WHEN {pending_support_ts} IS NOT NULL
       AND ({pending_feedback_ts} IS NULL OR {pending_feedback_ts} <= {pending_support_ts})
    THEN 'support-pending'
  WHEN {first_purchase_age} <= {:new_days} THEN 'new'
  WHEN {last_purchase_age} <= {:active_days} AND {last_gap} > {:lapsed_days} THEN 'reactivated'
  WHEN {last_purchase_age} <= {:active_days} AND {orders} >= 2 THEN 'repeat'
  WHEN {last_purchase_age} <= {:active_days} THEN 'active'
  WHEN {last_purchase_age} <= {:lapsed_days} THEN 'lapsing'
  ELSE 'lapsed'
END)sql"},
};

}  // namespace

std::span<const EventColumn> EventColumns() { return kEventColumns; }
std::span<const PassDefinition> Passes() { return kPasses; }
std::span<const AggregateDefinition> Aggregates() { return kAggregates; }
std::span<const SourceDefinition> Sources() { return kSources; }
std::span<const FeatureDefinition> Features() { return kFeatures; }

}  // namespace segmenta::features

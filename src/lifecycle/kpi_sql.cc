#include "lifecycle/kpi_sql.h"

#include <cmath>

#include "engine/dialect.h"

namespace segmenta::lifecycle {
namespace {

const Dialect& Sql() { return DuckDbDialect(); }

// Fills {A}, {W0} and {WP0} (date literals of the window) into `sql`.
std::string WithDates(std::string sql, const KpiWindow& window) {
  for (auto [name, date] : {std::pair<std::string, const std::string*>{"{A}", &window.as_of},
                            {"{W0}", &window.window_start},
                            {"{WP0}", &window.previous_start}}) {
    std::string literal = Sql().DateLiteral(*date);
    for (size_t at = sql.find(name); at != std::string::npos; at = sql.find(name, at)) {
      sql.replace(at, name.size(), literal);
      at += literal.size();
    }
  }
  return sql;
}

// Per customer: from the snapshot's feature table, orders before as_of (frequency),
// whether the first order is inside W (tenure_days ≤ P) and clv_12m; from the events,
// orders (distinct order_id, or the event without one) in W and whether they ordered in
// W', and what else happened inside W.
constexpr const char* kCustomerFigures = R"sql(
WITH members AS (
  SELECT segmentation, segment, customer_id FROM memberships
  WHERE snapshot_id = $1 AND ($2 = '' OR segmentation = $2)),
ordering AS (
  SELECT customer_id,
         count(DISTINCT order_id) FILTER (WHERE ts >= {W0})
           + count(*) FILTER (WHERE order_id IS NULL AND ts >= {W0}) AS orders_w,
         bool_or(ts < {W0}) AS ordered_prev
  FROM events
  WHERE type = 'purchase' AND amount > 0 AND ts >= {WP0} AND ts < {A}
  GROUP BY customer_id),
activity AS (
  SELECT customer_id,
         sum(amount) FILTER (WHERE type IN ('purchase', 'refund')) AS revenue,
         bool_or(type = 'visit') AS visited,
         count(*) FILTER (WHERE type = 'feedback' AND score BETWEEN 0 AND 10) AS nps_n,
         count(*) FILTER (WHERE type = 'feedback' AND score BETWEEN 9 AND 10) AS promoters,
         count(*) FILTER (WHERE type = 'feedback' AND score BETWEEN 0 AND 6) AS detractors,
         count(*) FILTER (WHERE type = 'csat' AND score BETWEEN 1 AND 5) AS csat_n,
         count(*) FILTER (WHERE type = 'csat' AND score BETWEEN 4 AND 5) AS satisfied
  FROM events WHERE ts >= {W0} AND ts < {A}
  GROUP BY customer_id),
customers AS (
  SELECT f.customer_id, f.frequency, f.tenure_days <= {P} AS is_new, {CLV} AS clv,
         a.revenue, a.visited, a.nps_n, a.promoters, a.detractors, a.csat_n, a.satisfied,
         o.orders_w, o.ordered_prev
  FROM {FEATURES} f LEFT JOIN activity a USING (customer_id)
    LEFT JOIN ordering o USING (customer_id)),
)sql";

// Per segment: the sums and counts; then spend spread over its days and counted for
// the days inside W, and the revenue of the campaigns with spend on the segment.
constexpr const char* kSegmentFigures = R"sql(
segments AS (
  SELECT m.segmentation, m.segment, count(*) AS customers,
         coalesce(sum(c.revenue), 0) AS revenue, coalesce(sum(c.orders_w), 0) AS orders,
         count(*) FILTER (WHERE c.frequency >= 2) AS repeat_buyers,
         count(*) FILTER (WHERE c.frequency >= 1) AS buyers,
         count(*) FILTER (WHERE c.ordered_prev) AS ordered_previous,
         count(*) FILTER (WHERE c.ordered_prev AND c.orders_w > 0) AS retained,
         count(*) FILTER (WHERE c.visited) AS visitors,
         count(*) FILTER (WHERE c.visited AND c.orders_w > 0) AS converted,
         coalesce(sum(c.nps_n), 0) AS nps_responses, coalesce(sum(c.promoters), 0) AS promoters,
         coalesce(sum(c.detractors), 0) AS detractors,
         count(*) FILTER (WHERE c.nps_n > 0) AS nps_respondents,
         coalesce(sum(c.csat_n), 0) AS csat_responses, coalesce(sum(c.satisfied), 0) AS satisfied,
         count(*) FILTER (WHERE c.csat_n > 0) AS csat_respondents,
         count(*) FILTER (WHERE c.is_new) AS new_customers, avg(c.clv) AS clv
  FROM members m JOIN customers c USING (customer_id)
  GROUP BY m.segmentation, m.segment),
spend_rows AS (
  SELECT s.segmentation, s.segment, sp.campaign,
         sp.cost * (least(sp.period_end, {A} - 1) - greatest(sp.period_start, {W0}) + 1)
           / (sp.period_end - sp.period_start + 1) AS cost
  FROM spend sp JOIN (SELECT segmentation, segment FROM segments) s
    ON sp.segment = s.segmentation || '/' || s.segment OR sp.segment = s.segment
  WHERE sp.period_start < {A} AND sp.period_end >= {W0}),
segment_spend AS (SELECT segmentation, segment, sum(cost) AS spend FROM spend_rows GROUP BY 1, 2),
segment_campaigns AS (
  SELECT DISTINCT segmentation, segment, campaign FROM spend_rows WHERE campaign IS NOT NULL),
campaign_buyers AS (
  SELECT customer_id, campaign, sum(amount) AS revenue FROM events
  WHERE ts >= {W0} AND ts < {A} AND type IN ('purchase', 'refund')
    AND campaign IN (SELECT campaign FROM segment_campaigns)
  GROUP BY customer_id, campaign),
campaign_revenue AS (
  SELECT m.segmentation, m.segment, sum(b.revenue) AS revenue
  FROM campaign_buyers b JOIN members m USING (customer_id)
  JOIN segment_campaigns c
    ON c.segmentation = m.segmentation AND c.segment = m.segment AND c.campaign = b.campaign
  GROUP BY m.segmentation, m.segment)
SELECT s.segmentation, s.segment, s.customers, s.revenue, s.orders, s.repeat_buyers, s.buyers,
       s.ordered_previous, s.retained, s.visitors, s.converted, s.nps_responses, s.promoters,
       s.detractors, s.nps_respondents, s.csat_responses, s.satisfied, s.csat_respondents,
       s.new_customers, s.clv, p.spend, coalesce(r.revenue, 0)
FROM segments s
  LEFT JOIN segment_spend p ON p.segmentation = s.segmentation AND p.segment = s.segment
  LEFT JOIN campaign_revenue r ON r.segmentation = s.segmentation AND r.segment = s.segment
ORDER BY s.segmentation, s.segment
)sql";

constexpr const char* kCampaignFigures = R"sql(
WITH spend_rows AS (
  SELECT campaign, channel,
         cost * (least(period_end, {A} - 1) - greatest(period_start, {W0}) + 1)
           / (period_end - period_start + 1) AS cost
  FROM spend
  WHERE campaign IS NOT NULL AND period_start < {A} AND period_end >= {W0}),
campaigns AS (
  SELECT campaign, string_agg(DISTINCT channel, ', ' ORDER BY channel) AS channels,
         sum(cost) AS spend
  FROM spend_rows GROUP BY campaign),
revenue AS (
  SELECT campaign, sum(amount) AS revenue,
         count(DISTINCT customer_id) FILTER (WHERE type = 'purchase' AND amount > 0) AS buyers
  FROM events
  WHERE ts >= {W0} AND ts < {A} AND type IN ('purchase', 'refund')
    AND campaign IN (SELECT campaign FROM campaigns)
  GROUP BY campaign)
SELECT c.campaign, coalesce(c.channels, ''), c.spend, coalesce(r.revenue, 0),
       coalesce(r.buyers, 0)
FROM campaigns c LEFT JOIN revenue r USING (campaign)
ORDER BY c.spend DESC, c.campaign
)sql";

int64_t Int(const store::Value& value) {
  double number = store::ToDouble(value);
  return std::isnan(number) ? 0 : static_cast<int64_t>(std::llround(number));
}

SegmentTotals ToTotals(const std::vector<store::Value>& row) {
  SegmentTotals totals;
  totals.segmentation = store::ToText(row[0]);
  totals.segment = store::ToText(row[1]);
  totals.customers = Int(row[2]);
  totals.revenue = store::ToDouble(row[3]);
  int64_t* counts[] = {&totals.orders,           &totals.repeat_buyers,    &totals.buyers,
                       &totals.ordered_previous, &totals.retained,         &totals.visitors,
                       &totals.converted,        &totals.nps_responses,    &totals.promoters,
                       &totals.detractors,       &totals.nps_respondents,  &totals.csat_responses,
                       &totals.satisfied,        &totals.csat_respondents, &totals.new_customers};
  size_t col = 4;
  for (int64_t* count : counts) *count = Int(row[col++]);
  if (!store::IsNull(row[col])) totals.clv = store::ToDouble(row[col]);
  if (!store::IsNull(row[col + 1])) totals.spend = store::ToDouble(row[col + 1]);
  totals.campaign_revenue = store::ToDouble(row[col + 2]);
  return totals;
}

}  // namespace

Result<KpiWindow> MakeWindow(store::Connection& conn, int64_t snapshot_id, const std::string& as_of,
                             int period_days) {
  SEG_ASSIGN_OR_RETURN(store::Rows rows,
                       conn.Query("SELECT CAST(CAST($1 AS DATE) AS VARCHAR), "
                                  "CAST(CAST($1 AS DATE) - CAST($2 AS INTEGER) AS VARCHAR), "
                                  "CAST(CAST($1 AS DATE) - 2 * CAST($2 AS INTEGER) AS VARCHAR)",
                                  {as_of, int64_t{period_days}}));
  const auto& row = rows.rows.at(0);
  return KpiWindow{snapshot_id, store::ToText(row[0]), store::ToText(row[1]), store::ToText(row[2]),
                   period_days};
}

Result<std::vector<SegmentTotals>> QuerySegmentTotals(store::Connection& conn,
                                                      const KpiWindow& window,
                                                      const std::string& segmentation,
                                                      const std::string& features_table,
                                                      bool has_clv) {
  std::string sql = WithDates(std::string(kCustomerFigures) + kSegmentFigures, window);
  auto fill = [&](const std::string& name, const std::string& text) {
    sql.replace(sql.find(name), name.size(), text);
  };
  fill("{CLV}", has_clv ? "f.clv_12m" : "CAST(NULL AS DOUBLE)");
  fill("{FEATURES}", features_table);
  fill("{P}", std::to_string(window.period_days));
  SEG_ASSIGN_OR_RETURN(store::Rows rows, conn.Query(sql, {window.snapshot_id, segmentation}));
  std::vector<SegmentTotals> totals;
  totals.reserve(rows.size());
  for (const auto& row : rows.rows) totals.push_back(ToTotals(row));
  return totals;
}

Result<std::vector<CampaignTotals>> QueryCampaignTotals(store::Connection& conn,
                                                        const KpiWindow& window) {
  SEG_ASSIGN_OR_RETURN(store::Rows rows, conn.Query(WithDates(kCampaignFigures, window)));
  std::vector<CampaignTotals> campaigns;
  for (const auto& row : rows.rows) {
    campaigns.push_back({store::ToText(row[0]), store::ToText(row[1]), store::ToDouble(row[2]),
                         store::ToDouble(row[3]), Int(row[4])});
  }
  return campaigns;
}

}  // namespace segmenta::lifecycle

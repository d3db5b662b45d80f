-- The per-customer feature table as ONE hand-written DuckDB statement, reading the CSV
-- files directly: the baseline of "a user with DuckDB and an afternoon". Run by
-- bench/sqlrun.cc, which replaces the placeholders:
--   {{CUSTOMERS_FROM}}  read_csv('DIR/data/customers.csv'), or a table of a database
--   {{EVENTS_FROM}}     read_csv('DIR/data/events.csv'), or a table
--   {{OUT}}             output file (.parquet or .csv)
-- The expressions below work whether a column was read as text or typed by DuckDB's
-- CSV sniffer (a dirty file may turn a numeric column into VARCHAR).
-- Definitions: docs/guide.md ("Features: exact definitions"), as src/features/definitions.cc.
-- Cleaning mirrors what ingest does: trimmed text, empty -> NULL, type lower-cased,
-- refunds negative, a purchase with a negative amount is a refund; rows without a
-- customer id or a parseable time, purchases/refunds without an amount and events of
-- unknown customers are dropped.
COPY (
WITH
customers AS (
  SELECT DISTINCT NULLIF(trim(customer_id), '') AS customer_id
  FROM {{CUSTOMERS_FROM}}
  WHERE NULLIF(trim(customer_id), '') IS NOT NULL
),
raw AS (
  SELECT NULLIF(trim(customer_id), '') AS customer_id,
         TRY_CAST(ts AS TIMESTAMP) AS ts,
         lower(NULLIF(trim(type), '')) AS type,
         TRY_CAST(amount AS DOUBLE) AS amount,
         NULLIF(trim(order_id), '') AS order_id,
         NULLIF(trim(channel), '') AS channel,
         NULLIF(trim(category), '') AS category,
         NULLIF(trim(campaign), '') AS campaign,
         TRY_CAST(score AS DOUBLE) AS score
  FROM {{EVENTS_FROM}}
),
clean AS (
  SELECT customer_id, ts, CAST(ts AS DATE) AS d,
         CASE WHEN type = 'purchase' AND amount < 0 THEN 'refund' ELSE type END AS type,
         CASE WHEN type = 'refund' THEN -abs(amount) ELSE amount END AS amount,
         order_id, channel, category, campaign, score
  FROM raw SEMI JOIN customers USING (customer_id)
  WHERE ts IS NOT NULL AND type IS NOT NULL
    AND NOT (type IN ('purchase', 'refund') AND amount IS NULL)
),
as_of AS (SELECT CAST(max(ts) AS DATE) + 1 AS as_of FROM clean),
ev AS MATERIALIZED (
  SELECT clean.*, as_of,
         type = 'purchase' AND amount > 0 AS is_p,
         (type = 'purchase' AND amount > 0) OR type = 'refund' AS is_net
  FROM clean, as_of
  WHERE ts < as_of
),
agg AS (
  SELECT customer_id,
         any_value(as_of) AS as_of,
         min(d) FILTER (is_p) AS first_p,
         max(d) FILTER (is_p) AS last_p,
         count(DISTINCT order_id) FILTER (is_p) + count(*) FILTER (is_p AND order_id IS NULL)
           AS frequency,
         count(DISTINCT order_id) FILTER (is_p AND campaign IS NOT NULL)
           + count(*) FILTER (is_p AND order_id IS NULL AND campaign IS NOT NULL) AS promo_orders,
         count(DISTINCT order_id) FILTER (is_p AND ((month(d) = 11 AND day(d) >= 15) OR month(d) = 12))
           + count(*) FILTER (is_p AND order_id IS NULL AND ((month(d) = 11 AND day(d) >= 15) OR month(d) = 12))
           AS holiday_orders,
         coalesce(sum(amount) FILTER (is_net), 0) AS monetary,
         sum(amount) FILTER (is_p) AS purchase_revenue,
         coalesce(sum(amount) FILTER (is_net AND d >= as_of - 90), 0)
           - coalesce(sum(amount) FILTER (is_net AND d >= as_of - 180 AND d < as_of - 90), 0)
           AS revenue_trend,
         count(*) FILTER (type = 'email_sent') AS sends,
         count(*) FILTER (type = 'email_open') AS opens,
         count(*) FILTER (type = 'email_click') AS clicks,
         count(*) FILTER (type = 'visit' AND d >= as_of - 30) AS visits_30d,
         count(*) FILTER (type = 'cart_abandon' AND d >= as_of - 90) AS cart_abandons_90d,
         count(*) FILTER (type = 'support_contact' AND d >= as_of - 90) AS support_contacts_90d,
         max(ts) FILTER (type = 'support_contact' AND d >= as_of - 14) AS last_support_14d,
         max(ts) FILTER (type = 'feedback') AS last_feedback_ts,
         arg_max(score, ts) FILTER (type = 'feedback' AND score IS NOT NULL) AS last_feedback_score
  FROM ev
  GROUP BY customer_id
),
purchase_days AS (SELECT DISTINCT customer_id, d FROM ev WHERE is_p),
gaps AS (
  SELECT customer_id, d, d - lag(d) OVER (PARTITION BY customer_id ORDER BY d) AS gap
  FROM purchase_days
),
interpurchase AS (
  SELECT customer_id,
         count(gap) AS gaps,
         avg(gap) AS gap_mean,
         stddev_pop(gap) AS gap_sd,
         arg_max(gap, d) AS last_gap
  FROM gaps
  GROUP BY customer_id
),
-- Top 5 categories and channels by purchase revenue over all customers (ties by name),
-- each with its column name: segmenta's sanitised suffix (ASCII letters and digits
-- lower-cased, every other UTF-8 byte '_'; _2, _3 ... when two values collide).
top_values AS (
  SELECT kind, value, row_number() OVER (PARTITION BY kind ORDER BY revenue DESC, value) AS rank
  FROM (SELECT 'category' AS kind, category AS value, sum(amount) AS revenue
        FROM ev WHERE is_p AND category IS NOT NULL GROUP BY ALL
        UNION ALL
        SELECT 'channel', channel, sum(amount)
        FROM ev WHERE is_p AND channel IS NOT NULL GROUP BY ALL)
  QUALIFY rank <= 5
),
top_names AS (
  SELECT kind, value,
         kind || '_share_' || base || CASE WHEN copy > 1 THEN '_' || copy ELSE '' END AS name
  FROM (SELECT kind, value, base,
               row_number() OVER (PARTITION BY kind, base ORDER BY rank) AS copy
        FROM (SELECT kind, value, rank,
                     array_to_string(list_transform(string_split(value, ''),
                       ch -> CASE WHEN regexp_full_match(ch, '[A-Za-z0-9]') THEN lower(ch)
                                  ELSE repeat('_', strlen(ch)) END), '') AS base
              FROM top_values))
),
preferred AS (
  SELECT customer_id, first(channel ORDER BY revenue DESC, channel) AS preferred_channel
  FROM (SELECT customer_id, channel, sum(amount) AS revenue
        FROM ev WHERE is_p AND channel IS NOT NULL GROUP BY ALL)
  GROUP BY customer_id
),
share_revenue AS (
  SELECT customer_id, top_names.name, amount
  FROM ev JOIN top_names ON top_names.kind = 'category' AND ev.category = top_names.value
  WHERE is_p
  UNION ALL
  SELECT customer_id, top_names.name, amount
  FROM ev JOIN top_names ON top_names.kind = 'channel' AND ev.channel = top_names.value
  WHERE is_p
),
shares AS (PIVOT share_revenue ON name USING sum(amount) GROUP BY customer_id),
wide AS (
  SELECT c.customer_id AS id, agg.* EXCLUDE (customer_id),
         interpurchase.* EXCLUDE (customer_id), preferred.preferred_channel,
         shares.* EXCLUDE (customer_id)
  FROM customers c
  LEFT JOIN agg USING (customer_id)
  LEFT JOIN interpurchase USING (customer_id)
  LEFT JOIN preferred USING (customer_id)
  LEFT JOIN shares USING (customer_id)
)
SELECT
  id AS customer_id,
  date_diff('day', last_p, as_of) AS recency_days,
  coalesce(frequency, 0) AS frequency,
  coalesce(monetary, 0) AS monetary,
  CASE WHEN frequency > 0 THEN monetary / frequency END AS avg_order_value,
  date_diff('day', first_p, as_of) AS tenure_days,
  CASE WHEN gaps >= 1 THEN gap_mean END AS interpurchase_days_mean,
  CASE WHEN gaps >= 2 AND gap_mean > 0 THEN gap_sd / gap_mean END AS interpurchase_days_cv,
  coalesce(revenue_trend, 0) AS revenue_trend,
  CASE WHEN purchase_revenue > 0 THEN coalesce(COLUMNS('^(category|channel)_share_'), 0) / purchase_revenue END,
  preferred_channel,
  CASE WHEN frequency > 0 THEN promo_orders / frequency END AS promo_share,
  CASE WHEN frequency > 0 THEN holiday_orders / frequency END AS holiday_share,
  CASE WHEN sends > 0 THEN opens / sends END AS email_open_rate,
  CASE WHEN sends > 0 THEN clicks / sends END AS email_click_rate,
  coalesce(visits_30d, 0) AS visits_30d,
  coalesce(cart_abandons_90d, 0) AS cart_abandons_90d,
  coalesce(support_contacts_90d, 0) AS support_contacts_90d,
  last_feedback_score,
  CASE
    WHEN last_p IS NULL THEN 'prospect'
    WHEN last_support_14d IS NOT NULL
         AND (last_feedback_ts IS NULL OR last_feedback_ts <= last_support_14d) THEN 'support-pending'
    WHEN date_diff('day', first_p, as_of) <= 30 THEN 'new'
    WHEN date_diff('day', last_p, as_of) <= 90 AND last_gap > 180 THEN 'reactivated'
    WHEN date_diff('day', last_p, as_of) <= 90 AND frequency >= 2 THEN 'repeat'
    WHEN date_diff('day', last_p, as_of) <= 90 THEN 'active'
    WHEN date_diff('day', last_p, as_of) <= 180 THEN 'lapsing'
    ELSE 'lapsed'
  END AS journey_stage
FROM wide
ORDER BY customer_id
) TO '{{OUT}}';

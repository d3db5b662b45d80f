#include "store/migrations.h"

namespace segmenta::store {
namespace {

// Migration 1: the canonical schema of ARCHITECTURE.md. Customer attribute columns
// are added by ingest as the project declares them (ALTER TABLE customers ADD COLUMN).
constexpr const char* kCanonicalSchema = R"sql(
CREATE TABLE customers (
  customer_id VARCHAR PRIMARY KEY,
  _source VARCHAR NOT NULL,          -- the source that loaded it, or 'auto:<events source>'
  _line BIGINT                       -- its line in that source (NULL when auto-created)
);
CREATE TABLE events (
  customer_id VARCHAR NOT NULL,
  ts TIMESTAMP NOT NULL,
  type VARCHAR NOT NULL,
  amount DOUBLE,
  order_id VARCHAR,
  channel VARCHAR,
  category VARCHAR,
  campaign VARCHAR,
  score DOUBLE,
  props JSON,
  _source VARCHAR NOT NULL,
  _line BIGINT NOT NULL
);
CREATE TABLE quarantine (
  source VARCHAR NOT NULL,
  file VARCHAR NOT NULL,
  line BIGINT,
  column_name VARCHAR,
  value VARCHAR,
  raw VARCHAR,
  reason VARCHAR NOT NULL,
  ingested_at TIMESTAMP NOT NULL
);
CREATE TABLE ingest_runs (
  source VARCHAR NOT NULL,
  file VARCHAR NOT NULL,
  started_at TIMESTAMP NOT NULL,
  seconds DOUBLE NOT NULL,
  rows_read BIGINT NOT NULL,
  rows_loaded BIGINT NOT NULL,
  rows_quarantined BIGINT NOT NULL,
  rows_filtered BIGINT NOT NULL,
  duplicates BIGINT NOT NULL,
  customers_created BIGINT NOT NULL
);
CREATE TABLE snapshots (
  snapshot_id BIGINT PRIMARY KEY,
  created_at TIMESTAMP NOT NULL,
  as_of DATE NOT NULL,
  config_hash VARCHAR NOT NULL,
  data_fingerprint VARCHAR NOT NULL
);
CREATE TABLE memberships (
  snapshot_id BIGINT NOT NULL,
  segmentation VARCHAR NOT NULL,
  customer_id VARCHAR NOT NULL,
  segment VARCHAR NOT NULL,
  score DOUBLE
);
CREATE TABLE models (snapshot_id BIGINT NOT NULL, segmentation VARCHAR NOT NULL, json JSON);
CREATE TABLE profiles (
  snapshot_id BIGINT NOT NULL,
  segmentation VARCHAR NOT NULL,
  segment VARCHAR NOT NULL,
  json JSON
);
CREATE TABLE membership_history (
  segmentation VARCHAR NOT NULL,
  segment VARCHAR NOT NULL,
  customer_id VARCHAR NOT NULL,
  entered_at TIMESTAMP NOT NULL,
  exited_at TIMESTAMP
);
CREATE TABLE experiments (
  experiment_id VARCHAR PRIMARY KEY,
  created_at TIMESTAMP NOT NULL,
  json JSON
);
CREATE TABLE spend (
  campaign VARCHAR,
  channel VARCHAR,
  segment VARCHAR,
  period VARCHAR,
  cost DOUBLE
);
CREATE TABLE audit (
  ts TIMESTAMP NOT NULL,
  actor VARCHAR NOT NULL,
  action VARCHAR NOT NULL,
  object VARCHAR,
  detail VARCHAR
);
CREATE TABLE api_tokens (hash VARCHAR PRIMARY KEY, role VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL);
)sql";

// Migration 2: health warnings of each run, and how long each took.
constexpr const char* kHealth = R"sql(
CREATE TABLE health (
  snapshot_id BIGINT NOT NULL,
  segmentation VARCHAR,
  segment VARCHAR,
  check_name VARCHAR NOT NULL,
  message VARCHAR NOT NULL
);
ALTER TABLE snapshots ADD COLUMN seconds DOUBLE;
)sql";

// Migration 3: the event types present, refreshed by ingest, so that rules need not
// scan the events to check a type name.
constexpr const char* kEventTypes = R"sql(
CREATE TABLE event_types (type VARCHAR NOT NULL);
)sql";

// Migration 4: the value models of each run (BG/NBD or Pareto/NBD, Gamma–Gamma) and
// their holdout diagnostics, as JSON.
constexpr const char* kValueModels = R"sql(
CREATE TABLE value_models (
  snapshot_id BIGINT NOT NULL,
  model VARCHAR NOT NULL,
  diagnostics VARCHAR
);
)sql";

// Migration 5: API tokens get a public id, a name, an expiry and a revocation time.
constexpr const char* kTokens = R"sql(
ALTER TABLE api_tokens ADD COLUMN token_id VARCHAR;
ALTER TABLE api_tokens ADD COLUMN name VARCHAR;
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMP;
ALTER TABLE api_tokens ADD COLUMN revoked_at TIMESTAMP;
)sql";

// Migration 6: acting on segments. Spend rows come from `kind = "spend"` sources (the
// first schema's spend table was never written, so it is replaced); experiments get
// their frozen assignment; webhook batches, their members until delivered, every
// delivery attempt, and which snapshots each webhook has planned.
constexpr const char* kActivation = R"sql(
DROP TABLE spend;
CREATE TABLE spend (
  campaign VARCHAR,
  channel VARCHAR,
  segment VARCHAR,
  period_start DATE NOT NULL,
  period_end DATE NOT NULL,
  cost DOUBLE NOT NULL,
  _source VARCHAR NOT NULL,
  _line BIGINT
);
CREATE TABLE experiment_assignments (
  experiment_id VARCHAR NOT NULL,
  customer_id VARCHAR NOT NULL,
  variant VARCHAR NOT NULL,
  bucket INTEGER NOT NULL
);
CREATE TABLE webhook_batches (
  batch_id VARCHAR PRIMARY KEY,
  webhook VARCHAR NOT NULL,
  snapshot_id BIGINT NOT NULL,
  segmentation VARCHAR NOT NULL,
  segment VARCHAR NOT NULL,
  part INTEGER NOT NULL,
  parts INTEGER NOT NULL,
  entered BIGINT NOT NULL,
  exited BIGINT NOT NULL,
  status VARCHAR NOT NULL,
  attempts INTEGER NOT NULL,
  created_at TIMESTAMP NOT NULL,
  delivered_at TIMESTAMP,
  last_error VARCHAR
);
CREATE TABLE webhook_batch_members (
  batch_id VARCHAR NOT NULL,
  customer_id VARCHAR NOT NULL,
  change VARCHAR NOT NULL
);
CREATE TABLE webhook_attempts (
  batch_id VARCHAR NOT NULL,
  attempt INTEGER NOT NULL,
  attempted_at TIMESTAMP NOT NULL,
  http_status INTEGER,
  error VARCHAR,
  milliseconds DOUBLE
);
CREATE TABLE webhook_plans (
  webhook VARCHAR NOT NULL,
  snapshot_id BIGINT NOT NULL,
  planned_at TIMESTAMP NOT NULL
);
)sql";

constexpr Migration kMigrations[] = {
    {1, "canonical schema", kCanonicalSchema},
    {2, "health warnings", kHealth},
    {3, "event types", kEventTypes},
    {4, "value models", kValueModels},
    {5, "api token ids, names, expiry, revocation", kTokens},
    {6, "spend, experiment assignments, webhook deliveries", kActivation},
};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

}  // namespace segmenta::store

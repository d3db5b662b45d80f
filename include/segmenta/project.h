// Project: the parsed `segmenta.toml` — sources, attribute roles and types,
// segmentations, feature settings and privacy.
//
//   SEG_ASSIGN_OR_RETURN(segmenta::Project project, segmenta::LoadProject("shop"));
//   for (const segmenta::SourceConfig& source : project.sources) { ... }
//
// Every mistake in the file is an InvalidArgument naming the file, the line, the key
// and what would be valid ("unknown key 'amout' — did you mean 'amount'?").
// docs/guide.md is the reference for every key. Values are plain data: copyable,
// thread-compatible.
#ifndef SEGMENTA_PROJECT_H_
#define SEGMENTA_PROJECT_H_

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "segmenta/feature_options.h"
#include "segmenta/status.h"
#include "segmenta/workspace.h"

namespace segmenta {

enum class AttributeRole { kDemographic, kGeographic, kPsychographic, kContact, kConsent };
enum class AttributeType { kNumber, kCategory, kDate, kText, kList };

std::string_view ToString(AttributeRole role);
std::string_view ToString(AttributeType type);

struct Attribute {
  std::string name;    // column name in the customers table
  std::string column;  // column in the source file (defaults to name)
  AttributeRole role = AttributeRole::kDemographic;
  AttributeType type = AttributeType::kText;
};

enum class SourceKind { kCustomers, kEvents, kSpend };
enum class SourceFormat { kCsv, kParquet, kJsonLines };
enum class UnknownCustomers { kCreate, kQuarantine };

struct CsvOptions {
  std::optional<char> delimiter;  // detected from the first lines when unset
  std::optional<char> quote;      // '"' when unset; '\0' = no quoting
  std::optional<bool> header;     // detected when unset
  std::string encoding;           // "utf-8" (default), "latin-1" or "utf-16"; detected by BOM
  bool multiline = false;         // quoted fields may span lines (RFC 4180)
};

struct SourceConfig {
  std::string name;            // [sources.NAME]
  std::filesystem::path file;  // resolved against the project directory
  SourceKind kind = SourceKind::kEvents;
  SourceFormat format = SourceFormat::kCsv;
  CsvOptions csv;
  std::string filter;   // optional row filter expression over source columns
  bool dedupe = false;  // drop (quarantine) exact duplicate rows
  int line = 0;         // where [sources.NAME] is declared

  // kind = "customers"
  std::string id;  // id column
  std::vector<Attribute> attributes;

  // kind = "events": column names, or expressions over columns for amount/score
  std::string customer;
  std::string time;
  std::string time_format;  // strftime format; empty = ISO 8601 and common forms
  std::string type;         // constant event type, e.g. "purchase"
  std::string type_column;  // or a column holding the type
  std::string amount;
  std::string order_id;
  std::string channel;
  std::string category;
  std::string campaign;
  std::string score;
  std::vector<std::string> props;  // extra columns kept in the props JSON
  UnknownCustomers unknown_customers = UnknownCustomers::kCreate;

  // kind = "spend": marketing cost rows (campaign and channel above are shared with
  // events). `segment` names "segmentation/segment" (or a segment name); `period` is a
  // day (YYYY-MM-DD), a month (YYYY-MM) or a range (YYYY-MM-DD..YYYY-MM-DD, inclusive).
  std::string segment;
  std::string period;
  std::string cost;
};

struct SegmentationConfig {
  std::string name;
  std::string method;  // rfm, rules, kmeans, kprototypes, gmm, value, journey
  std::vector<std::string> features;
  std::string k;                                           // a number or "auto"
  std::vector<std::pair<std::string, std::string>> rules;  // segment name → expression
  // rules: "first" (a customer is in the first segment whose rule holds, in the order
  // written) or "all" (in every segment whose rule holds).
  std::string overlap = "first";
  // rfm: scores 1..bins; grid = segment name → R/F cell patterns ("5[4-5]").
  int bins = 5;
  std::vector<std::pair<std::string, std::vector<std::string>>> grid;
  // kmeans, kprototypes, gmm (docs/guide.md, "Clusters"):
  std::vector<std::string> categories;  // categorical features or customer attributes
  int k_min = 2, k_max = 10;            // k = "auto" tries k_min..k_max (k_range)
  // feature → "log1p" | "none"; features not named: log1p when every value is ≥ 0 and
  // the skewness is above 1, else none.
  std::map<std::string, std::string> transforms;
  std::string scaling = "zscore";  // zscore | robust | none
  int seed = 42;
  int restarts = 3;                 // fits per k; the best one is kept
  std::string covariance = "full";  // gmm: full | diagonal
  double gamma = -1;                // kprototypes: categorical weight; < 0 = from the data
  // value: tiers "by" clv (tiers = cumulative top shares of buyers by CLV: High value,
  // Medium value, Low value) or churn_risk (Low / Medium / High risk from p_alive).
  std::string by = "clv";
  std::vector<double> tiers = {0.2, 0.5};
  int line = 0;
};

// The value models ([value] in segmenta.toml; docs/guide.md, "Customer value"). They run
// when [value] is present, a segmentation has method = "value", or a segmentation reads
// one of the value features (p_alive, expected_purchases_90d, expected_order_value,
// clv_12m).
struct ValueOptions {
  bool declared = false;          // [value] present
  std::string model = "bgnbd";    // bgnbd | paretonbd (purchases); order values: Gamma–Gamma
  std::string unit = "weeks";     // weeks | days: the models' time unit
  double discount_rate = 0.10;    // yearly, for clv_12m
  double penalty = 0;             // L2 penalty on the parameters (0 = plain maximum likelihood)
  double churn_high_below = 0.3;  // churn_risk = [high_below, medium_below] on p_alive
  double churn_medium_below = 0.7;
  int holdout_days = 90;  // diagnostics refit with the last N days held out; 0 = none
  int line = 0;
};

// [[webhook]]: where the customers who entered and left segments go after each run
// (docs/guide.md, "Webhooks").
struct WebhookConfig {
  std::string name;
  std::string url;         // http:// or https://
  std::string secret;      // the HMAC-SHA256 key, written in the file, or
  std::string secret_env;  // the environment variable that holds it (read when sending)
  // "segmentation/segment", or "segmentation/*" for all its segments.
  std::vector<std::string> segments;
  int batch_size = 500;        // customers (entered + exited) per POST
  int timeout_seconds = 10;    // per attempt
  int max_attempts = 5;        // per delivery round (a run, or `webhooks retry`)
  double backoff_seconds = 1;  // the first retry waits this long; each next one twice as long
  int line = 0;
};

// [export]: audience files.
struct ExportOptions {
  // Country calling code for phone numbers written without one ("40" for Romania):
  // "0712 345 678" → +40712345678. Empty: such numbers are left out of hashed columns.
  std::string phone_country;
};

// [kpis]: per-segment KPIs.
struct KpiOptions {
  int period_days = 90;  // revenue, orders, spend... over the N days before each as_of
};

struct Project {
  std::filesystem::path file;         // the segmenta.toml read
  std::filesystem::path root;         // its directory
  std::filesystem::path workspace;    // default root/.segmenta
  WorkspaceOptions engine;            // [workspace] memory_limit, threads
  std::vector<SourceConfig> sources;  // customers sources first, then events, by name
  std::vector<SegmentationConfig> segmentations;
  FeatureOptions features;              // [features], plus [workspace] as_of
  ValueOptions value;                   // [value]
  int min_group_size = 10;              // [privacy]
  std::vector<WebhookConfig> webhooks;  // [[webhook]]
  ExportOptions exports;                // [export]
  KpiOptions kpis;                      // [kpis]
};

// Reads `path`: a segmenta.toml, or a directory containing one.
Result<Project> LoadProject(const std::filesystem::path& path);
// Parses project text; `file` names it in errors and anchors relative paths.
Result<Project> ParseProject(std::string_view text, const std::filesystem::path& file);

// The closest of `candidates` to `word` by edit distance, or "" when none is close.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace segmenta

#endif  // SEGMENTA_PROJECT_H_

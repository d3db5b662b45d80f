// Customer value over a project: the value models (segmenta/value.h) fitted to the
// workspace's purchases — or to a ready summary CSV — per-customer predictions, and the
// diagnostics analysts check before trusting them. `segmenta value fit|predict|diagnose`
// is this header; `segmenta run` also adds the predictions to the feature table
// (p_alive, expected_purchases_90d, expected_order_value, clv_12m) and stores the models
// and diagnostics with the snapshot.
//
//   segmenta::ValueRequest request;                  // the project's [value] settings
//   SEG_ASSIGN_OR_RETURN(segmenta::ValueReport report,
//                        segmenta::FitCustomerValue(project, &workspace, request));
//   report.purchases.params;                          // r, α, a, b
//
// The calibration period ends the day before as_of (like the features: events before
// as_of count). Without a workspace (`workspace` null), `request.summary_csv` is read.
#ifndef SEGMENTA_CUSTOMER_VALUE_H_
#define SEGMENTA_CUSTOMER_VALUE_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "segmenta/features.h"
#include "segmenta/project.h"
#include "segmenta/status.h"
#include "segmenta/value.h"
#include "segmenta/workspace.h"

namespace segmenta {

struct ValueRequest {
  std::optional<std::filesystem::path> summary_csv;  // read this instead of the events
  std::optional<std::string> as_of;  // default: the project's, else the day after the newest event
  std::optional<std::string> model;  // bgnbd | paretonbd; default: [value] model
  std::optional<double> penalty;     // default: [value] penalty
  std::optional<std::string> unit;   // weeks | days; default: [value] unit
};

// NOLINTNEXTLINE(bugprone-exception-escape): members move
struct ValueReport {
  value::FitResult purchases;              // BG/NBD or Pareto/NBD
  std::optional<value::FitResult> orders;  // Gamma–Gamma, when the data allow it
  std::string orders_error;                // else why not
  double frequency_value_correlation = 0;  // Gamma–Gamma's independence check
  std::string calibration_end;             // the last day observed ("" for a CSV)
  std::string unit;                        // weeks | days
  double unit_days = 7;
};

Result<ValueReport> FitCustomerValue(const Project& project, Workspace* workspace,
                                     const ValueRequest& request);

struct CustomerValue {
  std::string customer_id;
  double x = 0, t_x = 0, T = 0;  // in the report's unit
  double p_alive = 0;
  double expected_purchases = 0;                    // over the horizon
  std::optional<double> expected_order_value, clv;  // without Gamma–Gamma: none
  value::ChurnRisk churn_risk = value::ChurnRisk::kLow;
};

// Fits, then predicts every customer (or only `customer_id`): expected purchases over
// `horizon_days`, CLV over 12 months at the project's discount rate.
Result<std::vector<CustomerValue>> PredictCustomerValue(const Project& project,
                                                        Workspace* workspace,
                                                        const ValueRequest& request,
                                                        double horizon_days,
                                                        const std::string& customer_id = "");

// NOLINTNEXTLINE(bugprone-exception-escape): members move
struct ValueDiagnostics {
  ValueReport calibration;                 // the models fitted on the calibration period only
  std::string holdout_start, holdout_end;  // [start, end)
  std::vector<value::FrequencyBucket> by_frequency;
  std::vector<value::TrackingPoint> tracking;  // per week, from the earliest first purchase
};

// Holds out the last `holdout_days` before as_of, fits on the rest and compares the
// predictions with what happened. Buckets hold at least privacy.min_group_size customers.
Result<ValueDiagnostics> DiagnoseCustomerValue(const Project& project, Workspace& workspace,
                                               const ValueRequest& request, int holdout_days);

// The features `run` adds when the value models run: p_alive, expected_purchases_90d,
// expected_order_value, clv_12m, each NULL for customers without a purchase.
std::vector<FeatureInfo> ValueFeatures();

// The report and the diagnostics as JSON text (what `--json` prints and the snapshot
// stores).
std::string ToJson(const ValueReport& report);
std::string ToJson(const ValueDiagnostics& diagnostics);

}  // namespace segmenta

#endif  // SEGMENTA_CUSTOMER_VALUE_H_

// Customer value over a project: data (value_data), fits, predictions, diagnostics, and
// the run step that adds the value features.
#include "segment/value_run.h"

#include <cmath>

#include "features/as_of.h"
#include "segment/value_data.h"
#include "segmenta/customer_value.h"

namespace segmenta {
namespace {

constexpr double kDaysPerMonth = 365.25 / 12;

struct Settings {
  value::ModelKind model = value::ModelKind::kBgNbd;
  double penalty = 0;
  std::string unit = "weeks";
  double unit_days = 7;
};

Result<Settings> ResolveSettings(const Project& project, const ValueRequest& request) {
  Settings settings;
  SEG_ASSIGN_OR_RETURN(settings.model,
                       value::ParseModelKind(request.model.value_or(project.value.model)));
  if (settings.model == value::ModelKind::kGammaGamma) {
    return Status::InvalidArgument(
        "the purchase model is bgnbd or paretonbd; Gamma-Gamma is "
        "fitted alongside for order values");
  }
  settings.penalty = request.penalty.value_or(project.value.penalty);
  if (!(settings.penalty >= 0)) return Status::InvalidArgument("penalty must be >= 0");
  settings.unit = request.unit.value_or(project.value.unit);
  if (settings.unit != "weeks" && settings.unit != "days") {
    return Status::InvalidArgument("unit is weeks or days, not '" + settings.unit + "'");
  }
  settings.unit_days = settings.unit == "days" ? 1 : 7;
  return settings;
}

Result<std::string> ResolveEnd(store::Connection& conn, const Project& project,
                               const ValueRequest& request) {
  FeatureOptions options = project.features;
  if (request.as_of) options.as_of = request.as_of;
  return ResolveAsOf(conn, DuckDbDialect(), options);
}

Result<segment::ValueData> LoadData(const Project& project, Workspace* workspace,
                                    const ValueRequest& request, const Settings& settings) {
  if (request.summary_csv) return segment::ReadSummaryCsv(*request.summary_csv);
  if (!workspace) return Status::InvalidArgument("no workspace and no summary file to read");
  SEG_ASSIGN_OR_RETURN(std::string end, ResolveEnd(workspace->connection(), project, request));
  return segment::LoadValueData(workspace->connection(), DuckDbDialect(), end, settings.unit_days);
}

Result<ValueReport> FitData(const segment::ValueData& data, const Settings& settings) {
  ValueReport report;
  report.calibration_end = data.calibration_end;
  report.unit = settings.unit;
  report.unit_days = settings.unit_days;
  value::FitOptions options;
  options.penalty = settings.penalty;
  SEG_ASSIGN_OR_RETURN(report.purchases, value::Fit(settings.model, data.summary, options));
  report.frequency_value_correlation = value::FrequencyValueCorrelation(data.summary);
  if (data.summary.monetary.empty()) {
    report.orders_error = "the summary has no order values (monetary_value)";
    return report;
  }
  Result<value::FitResult> orders =
      value::Fit(value::ModelKind::kGammaGamma, data.summary, options);
  Result<value::OrderValueModel> usable = orders.ok()
                                              ? value::OrderValueModel::Make(orders->params)
                                              : Result<value::OrderValueModel>(orders.status());
  if (usable.ok()) {
    report.orders = std::move(*orders);
  } else {
    report.orders_error = usable.status().message();
  }
  return report;
}

Result<value::Predictions> PredictData(const ValueReport& report, const Project& project,
                                       const value::Summary& summary, double horizon_days) {
  SEG_ASSIGN_OR_RETURN(value::PurchaseModel model,
                       value::PurchaseModel::Make(report.purchases.kind, report.purchases.params));
  std::optional<value::OrderValueModel> orders;
  if (report.orders) {
    SEG_ASSIGN_OR_RETURN(orders, value::OrderValueModel::Make(report.orders->params));
  }
  value::PredictOptions options;
  options.horizon = horizon_days / report.unit_days;
  options.units_per_month = kDaysPerMonth / report.unit_days;
  options.annual_discount = project.value.discount_rate;
  return value::Predict(model, orders ? &*orders : nullptr, summary, options);
}

nlohmann::json FitJson(const value::FitResult& fit) {
  nlohmann::json json = {{"model", std::string(value::ToString(fit.kind))},
                         {"log_likelihood", fit.log_likelihood},
                         {"customers", fit.customers},
                         {"distinct", fit.distinct},
                         {"evaluations", fit.evaluations},
                         {"seconds", fit.seconds}};
  for (size_t i = 0; i < fit.params.size(); ++i) {
    json["params"][fit.names[i]] = fit.params[i];
    json["std_errors"][fit.names[i]] =
        std::isfinite(fit.std_errors[i]) ? nlohmann::json(fit.std_errors[i]) : nlohmann::json();
  }
  if (!fit.note.empty()) json["note"] = fit.note;
  return json;
}

nlohmann::json ReportJson(const ValueReport& report) {
  nlohmann::json json = {{"purchases", FitJson(report.purchases)},
                         {"unit", report.unit},
                         {"calibration_end", report.calibration_end}};
  json["orders"] = report.orders ? FitJson(*report.orders) : nlohmann::json();
  if (!report.orders_error.empty()) json["orders_error"] = report.orders_error;
  json["frequency_value_correlation"] = std::isfinite(report.frequency_value_correlation)
                                            ? nlohmann::json(report.frequency_value_correlation)
                                            : nlohmann::json();
  return json;
}

nlohmann::json DiagnosticsJson(const ValueDiagnostics& diagnostics) {
  nlohmann::json json = {{"calibration", ReportJson(diagnostics.calibration)},
                         {"holdout_start", diagnostics.holdout_start},
                         {"holdout_end", diagnostics.holdout_end},
                         {"by_frequency", nlohmann::json::array()},
                         {"tracking", nlohmann::json::array()}};
  for (const value::FrequencyBucket& bucket : diagnostics.by_frequency) {
    json["by_frequency"].push_back({{"x", bucket.label},
                                    {"customers", bucket.customers},
                                    {"actual", bucket.actual},
                                    {"expected", bucket.expected}});
  }
  for (const value::TrackingPoint& point : diagnostics.tracking) {
    json["tracking"].push_back({{"week", point.t * diagnostics.calibration.unit_days / 7},
                                {"actual", point.actual},
                                {"expected", point.expected}});
  }
  return json;
}

Result<ValueDiagnostics> Diagnose(store::Connection& conn, const Project& project,
                                  const Settings& settings, const std::string& as_of,
                                  int holdout_days) {
  if (holdout_days < 1) return Status::InvalidArgument("the holdout needs at least one day");
  const Dialect& sql = DuckDbDialect();
  SEG_ASSIGN_OR_RETURN(
      store::Rows start,
      conn.Query("SELECT CAST(" +
                 sql.DateMinusDays(sql.DateLiteral(as_of), std::to_string(holdout_days)) +
                 " AS VARCHAR)"));
  ValueDiagnostics diagnostics;
  diagnostics.holdout_start = store::ToText(start.rows[0][0]);
  diagnostics.holdout_end = as_of;
  SEG_ASSIGN_OR_RETURN(
      segment::ValueData data,
      segment::LoadValueData(conn, sql, diagnostics.holdout_start, settings.unit_days, as_of));
  SEG_ASSIGN_OR_RETURN(diagnostics.calibration, FitData(data, settings));
  SEG_ASSIGN_OR_RETURN(value::PurchaseModel model,
                       value::PurchaseModel::Make(diagnostics.calibration.purchases.kind,
                                                  diagnostics.calibration.purchases.params));
  SEG_ASSIGN_OR_RETURN(diagnostics.by_frequency,
                       value::HoldoutByFrequency(model, data.summary, data.holdout,
                                                 data.holdout_length, 7, project.min_group_size));
  SEG_ASSIGN_OR_RETURN(diagnostics.tracking,
                       value::CumulativeTracking(model, data.first_purchase, data.repeats_per_week,
                                                 7 / settings.unit_days));
  return diagnostics;
}

}  // namespace

Result<ValueReport> FitCustomerValue(const Project& project, Workspace* workspace,
                                     const ValueRequest& request) {
  SEG_ASSIGN_OR_RETURN(Settings settings, ResolveSettings(project, request));
  SEG_ASSIGN_OR_RETURN(segment::ValueData data, LoadData(project, workspace, request, settings));
  return FitData(data, settings);
}

Result<std::vector<CustomerValue>> PredictCustomerValue(const Project& project,
                                                        Workspace* workspace,
                                                        const ValueRequest& request,
                                                        double horizon_days,
                                                        const std::string& customer_id) {
  SEG_ASSIGN_OR_RETURN(Settings settings, ResolveSettings(project, request));
  SEG_ASSIGN_OR_RETURN(segment::ValueData data, LoadData(project, workspace, request, settings));
  SEG_ASSIGN_OR_RETURN(ValueReport report, FitData(data, settings));
  SEG_ASSIGN_OR_RETURN(value::Predictions predictions,
                       PredictData(report, project, data.summary, horizon_days));
  std::vector<CustomerValue> values;
  for (size_t i = 0; i < data.ids.size(); ++i) {
    if (!customer_id.empty() && data.ids[i] != customer_id) continue;
    CustomerValue one;
    one.customer_id = data.ids[i];
    one.x = data.summary.x[i], one.t_x = data.summary.t_x[i], one.T = data.summary.T[i];
    one.p_alive = predictions.p_alive[i];
    one.expected_purchases = predictions.expected_purchases[i];
    if (!predictions.clv.empty()) {
      one.expected_order_value = predictions.expected_value[i];
      one.clv = predictions.clv[i];
    }
    one.churn_risk = value::ClassifyChurnRisk(one.p_alive, project.value.churn_high_below,
                                              project.value.churn_medium_below);
    values.push_back(std::move(one));
  }
  if (!customer_id.empty() && values.empty()) {
    return Status::NotFound("no customer '" + customer_id +
                            "' with a purchase before the calibration end");
  }
  return values;
}

Result<ValueDiagnostics> DiagnoseCustomerValue(const Project& project, Workspace& workspace,
                                               const ValueRequest& request, int holdout_days) {
  if (request.summary_csv) {
    return Status::InvalidArgument(
        "diagnostics need the purchases themselves (a holdout period), "
        "not a summary file");
  }
  SEG_ASSIGN_OR_RETURN(Settings settings, ResolveSettings(project, request));
  SEG_ASSIGN_OR_RETURN(std::string as_of, ResolveEnd(workspace.connection(), project, request));
  return Diagnose(workspace.connection(), project, settings, as_of, holdout_days);
}

std::vector<FeatureInfo> ValueFeatures() {
  return {
      {"p_alive", FeatureType::kNumber,
       "Probability that the customer is still active (BG/NBD or Pareto/NBD, [value] model) "
       "given their purchase days before as_of; NULL without purchases."},
      {"expected_purchases_90d", FeatureType::kNumber,
       "Expected purchase days in the 90 days from as_of; NULL without purchases."},
      {"expected_order_value", FeatureType::kNumber,
       "Expected value of a future order (Gamma-Gamma: the customer's mean repeat purchase "
       "value shrunk towards the population's); NULL without purchases or order-value model."},
      {"clv_12m", FeatureType::kNumber,
       "Expected value of the customer's purchases in the 12 months from as_of, each month "
       "discounted at [value] discount_rate a year; NULL without purchases or order-value "
       "model."},
  };
}

std::string ToJson(const ValueReport& report) { return ReportJson(report).dump(); }
std::string ToJson(const ValueDiagnostics& diagnostics) {
  return DiagnosticsJson(diagnostics).dump();
}

namespace segment {

bool ValueModelsNeeded(const Project& project) {
  if (project.value.declared) return true;
  for (const SegmentationConfig& config : project.segmentations) {
    if (config.method == "value") return true;
    for (const FeatureInfo& feature : ValueFeatures()) {
      for (const std::string& used : config.features) {
        if (used == feature.name) return true;
      }
      for (const auto& [segment, rule] : config.rules) {
        if (rule.find(feature.name) != std::string::npos) return true;
      }
    }
  }
  return false;
}

Result<nlohmann::json> AddValueFeatures(store::Connection& conn, const Dialect& sql,
                                        const Project& project, const std::string& as_of,
                                        const std::string& features_table) {
  SEG_ASSIGN_OR_RETURN(Settings settings, ResolveSettings(project, ValueRequest{}));
  SEG_ASSIGN_OR_RETURN(ValueData data, LoadValueData(conn, sql, as_of, settings.unit_days));
  Result<ValueReport> report = FitData(data, settings);
  if (!report.ok()) {
    return Status(report.status().code(),
                  project.file.string() + ": [value] " + report.status().message());
  }
  SEG_ASSIGN_OR_RETURN(value::Predictions predictions,
                       PredictData(*report, project, data.summary, 90));
  SEG_RETURN_IF_ERROR(
      conn.Execute("CREATE OR REPLACE TEMP TABLE __value (customer_id VARCHAR, p_alive DOUBLE, "
                   "expected_purchases_90d DOUBLE, expected_order_value DOUBLE, clv_12m DOUBLE)"));
  {
    SEG_ASSIGN_OR_RETURN(store::Appender appender, conn.MakeAppender("__value"));
    for (size_t i = 0; i < data.ids.size(); ++i) {
      appender.Append(data.ids[i]);
      appender.Append(predictions.p_alive[i]);
      appender.Append(predictions.expected_purchases[i]);
      if (predictions.clv.empty()) {
        appender.AppendNull();
        appender.AppendNull();
      } else {
        appender.Append(predictions.expected_value[i]);
        appender.Append(predictions.clv[i]);
      }
      SEG_RETURN_IF_ERROR(appender.EndRow());
    }
    SEG_RETURN_IF_ERROR(appender.Flush());
  }
  SEG_RETURN_IF_ERROR(conn.Execute(
      "CREATE OR REPLACE TABLE __features_value AS SELECT f.*, v.* EXCLUDE (customer_id) FROM " +
      features_table +
      " f LEFT JOIN __value v ON v.customer_id = f.customer_id ORDER BY "
      "f.customer_id; DROP TABLE " +
      features_table + "; ALTER TABLE __features_value RENAME TO " + features_table +
      "; DROP TABLE __value"));
  nlohmann::json stored = {{"model", ReportJson(*report)}};
  if (project.value.holdout_days > 0) {
    Result<ValueDiagnostics> diagnostics =
        Diagnose(conn, project, settings, as_of, project.value.holdout_days);
    stored["diagnostics"] = diagnostics.ok()
                                ? DiagnosticsJson(*diagnostics)
                                : nlohmann::json{{"error", diagnostics.status().message()}};
  }
  return stored;
}

}  // namespace segment
}  // namespace segmenta

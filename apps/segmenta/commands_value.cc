// segmenta value fit | predict | diagnose: the customer-value models from the CLI.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "segmenta/customer_value.h"

namespace segmenta::cli {
namespace {

std::string Fixed(double value, int digits) {
  if (!std::isfinite(value)) return "-";
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

std::string ModelName(value::ModelKind kind) {
  switch (kind) {
    case value::ModelKind::kBgNbd:
      return "BG/NBD";
    case value::ModelKind::kParetoNbd:
      return "Pareto/NBD";
    case value::ModelKind::kGammaGamma:
      return "Gamma-Gamma";
  }
  return "";
}

void PrintFit(const value::FitResult& fit, const std::string& who) {
  std::cout << ModelName(fit.kind) << " on " << Thousands(fit.customers) << " " << who << " ("
            << Thousands(fit.distinct) << " distinct)\n";
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < fit.params.size(); ++i) {
    rows.push_back({fit.names[i], Fixed(fit.params[i], 4), Fixed(fit.std_errors[i], 4)});
  }
  PrintTable({"parameter", "estimate", "std. error"}, rows);
  std::cout << "log-likelihood " << Fixed(fit.log_likelihood, 3) << " (" << fit.evaluations
            << " evaluations, " << Fixed(fit.seconds * 1000, 1) << " ms)\n";
  if (!fit.note.empty()) std::cout << "note: " << fit.note << "\n";
}

// A new customer's expected repeat purchases and P(X(t) = n), for t of 4, 13, 26 and 52
// weeks: the population view of the purchase model.
nlohmann::json Population(const ValueReport& report) {
  nlohmann::json rows = nlohmann::json::array();
  Result<value::PurchaseModel> model =
      value::PurchaseModel::Make(report.purchases.kind, report.purchases.params);
  if (!model.ok()) return rows;
  for (int weeks : {4, 13, 26, 52}) {
    const double t = weeks * 7 / report.unit_days;
    nlohmann::json row = {{"weeks", weeks}, {"expected", model->ExpectedPurchasesNew(t)}};
    double below = 0;
    for (int n = 0; n < 3; ++n) {
      const double p = model->ProbabilityOfPurchases(t, n);
      row["p"].push_back(p);
      below += p;
    }
    row["p"].push_back(std::max(0.0, 1 - below));  // 3 or more
    rows.push_back(row);
  }
  return rows;
}

void PrintPopulation(const ValueReport& report) {
  std::cout << "\nA new customer's repeat purchases\n";
  std::vector<std::vector<std::string>> rows;
  for (const nlohmann::json& row : Population(report)) {
    rows.push_back({std::to_string(row["weeks"].get<int>()) + " weeks",
                    Fixed(row["expected"].get<double>(), 3), Fixed(row["p"][0].get<double>(), 3),
                    Fixed(row["p"][1].get<double>(), 3), Fixed(row["p"][2].get<double>(), 3),
                    Fixed(row["p"][3].get<double>(), 3)});
  }
  PrintTable({"within", "expected", "P(0)", "P(1)", "P(2)", "P(3+)"}, rows);
}

void PrintReport(const ValueReport& report) {
  std::cout << "Calibration "
            << (report.calibration_end.empty() ? "from the summary file"
                                               : "through " + report.calibration_end)
            << ", time in " << report.unit << "\n\n";
  PrintFit(report.purchases, "customers");
  std::cout << "\n";
  if (report.orders) {
    PrintFit(*report.orders, "repeat customers");
  } else {
    std::cout << "Gamma-Gamma: " << report.orders_error << "\n";
  }
  std::cout << "frequency-value correlation " << Fixed(report.frequency_value_correlation, 3)
            << " (Gamma-Gamma assumes order values independent of frequency: near 0)\n";
}

ValueRequest Request(const ValueFlags& flags) {
  ValueRequest request;
  if (!flags.summary.empty()) request.summary_csv = flags.summary;
  if (!flags.as_of.empty()) request.as_of = flags.as_of;
  if (!flags.model.empty()) request.model = flags.model;
  if (!flags.unit.empty()) request.unit = flags.unit;
  if (flags.penalty >= 0) request.penalty = flags.penalty;
  return request;
}

// Writes the predictions as CSV to a temporary name, then renames it.
Status WriteCsv(const std::vector<CustomerValue>& values, const std::string& file) {
  const std::string temporary = file + ".tmp";
  {
    std::ofstream csv(temporary, std::ios::binary);
    if (!csv) return Status::IoError("cannot write " + temporary);
    csv << "customer_id,x,t_x,T,p_alive,expected_purchases,expected_order_value,clv,churn_risk\n";
    for (const CustomerValue& one : values) {
      csv << one.customer_id << "," << one.x << "," << Fixed(one.t_x, 4) << "," << Fixed(one.T, 4)
          << "," << Fixed(one.p_alive, 6) << "," << Fixed(one.expected_purchases, 6) << ","
          << (one.expected_order_value ? Fixed(*one.expected_order_value, 4) : "") << ","
          << (one.clv ? Fixed(*one.clv, 4) : "") << "," << value::ToString(one.churn_risk) << "\n";
    }
    if (!csv.flush()) return Status::IoError("cannot write " + temporary);
  }
  std::error_code error;
  std::filesystem::rename(temporary, file, error);
  if (error) return Status::IoError("cannot rename " + temporary + ": " + error.message());
  return Status::Ok();
}

nlohmann::json ValuesJson(const std::vector<CustomerValue>& values, size_t limit) {
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < values.size() && i < limit; ++i) {
    const CustomerValue& one = values[i];
    list.push_back(
        {{"customer_id", one.customer_id},
         {"x", one.x},
         {"t_x", one.t_x},
         {"T", one.T},
         {"p_alive", one.p_alive},
         {"expected_purchases", one.expected_purchases},
         {"expected_order_value",
          one.expected_order_value ? nlohmann::json(*one.expected_order_value) : nlohmann::json()},
         {"clv", one.clv ? nlohmann::json(*one.clv) : nlohmann::json()},
         {"churn_risk", value::ToString(one.churn_risk)}});
  }
  return list;
}

int Predict(const Project& project, Workspace* workspace, const ValueFlags& flags,
            const Output& out) {
  Result<std::vector<CustomerValue>> values =
      PredictCustomerValue(project, workspace, Request(flags), flags.horizon_days, flags.customer);
  if (!values.ok()) return Fail(out, values.status());
  if (!flags.out.empty()) {
    Status written = WriteCsv(*values, flags.out);
    if (!written.ok()) return Fail(out, written);
  }
  const size_t limit = flags.limit > 0 ? static_cast<size_t>(flags.limit)
                                       : (out.json || !flags.out.empty() ? values->size() : 20);
  if (out.json) {
    PrintJson({{"ok", true},
               {"customers", values->size()},
               {"horizon_days", flags.horizon_days},
               {"predictions", flags.out.empty() ? ValuesJson(*values, limit) : nlohmann::json()},
               {"out", flags.out}});
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < values->size() && i < limit && flags.out.empty(); ++i) {
    const CustomerValue& one = (*values)[i];
    rows.push_back(
        {one.customer_id, Fixed(one.x, 0), Fixed(one.p_alive, 3), Fixed(one.expected_purchases, 3),
         one.expected_order_value ? Fixed(*one.expected_order_value, 2) : "-",
         one.clv ? Fixed(*one.clv, 2) : "-", std::string(value::ToString(one.churn_risk))});
  }
  if (!rows.empty()) {
    PrintTable({"customer", "x", "p_alive", "expected (" + Fixed(flags.horizon_days, 0) + "d)",
                "order value", "clv 12m", "churn risk"},
               rows);
  }
  std::cout << Thousands(static_cast<int64_t>(values->size())) << " customers predicted"
            << (flags.out.empty() ? "" : ", written to " + flags.out)
            << (rows.size() < values->size() && flags.out.empty()
                    ? " (first " + std::to_string(rows.size()) + " shown; --out FILE for all)"
                    : "")
            << "\n";
  return 0;
}

int Diagnose(const Project& project, Workspace& workspace, const ValueFlags& flags,
             const Output& out) {
  Result<ValueDiagnostics> diagnostics =
      DiagnoseCustomerValue(project, workspace, Request(flags), flags.holdout_days);
  if (!diagnostics.ok()) return Fail(out, diagnostics.status());
  if (out.json) {
    PrintJson({{"ok", true}, {"diagnostics", nlohmann::json::parse(ToJson(*diagnostics))}});
    return 0;
  }
  PrintReport(diagnostics->calibration);
  std::cout << "\nHoldout " << diagnostics->holdout_start << " to " << diagnostics->holdout_end
            << " (exclusive): purchases per customer by calibration frequency\n";
  std::vector<std::vector<std::string>> rows;
  for (const value::FrequencyBucket& bucket : diagnostics->by_frequency) {
    rows.push_back({bucket.label, Thousands(bucket.customers), Fixed(bucket.actual, 3),
                    Fixed(bucket.expected, 3)});
  }
  PrintTable({"x", "customers", "actual", "expected"}, rows);
  std::cout << "\nCumulative repeat purchases by week since the first purchase\n";
  rows.clear();
  for (size_t k = 0; k < diagnostics->tracking.size(); ++k) {
    const value::TrackingPoint& point = diagnostics->tracking[k];
    rows.push_back({std::to_string(k + 1), Fixed(point.actual, 0), Fixed(point.expected, 1)});
  }
  PrintTable({"week", "actual", "expected"}, rows);
  return 0;
}

}  // namespace

int RunValue(const GlobalFlags& global, const ValueFlags& flags, const Output& out) {
  // A summary file needs no project; without one, the project's workspace is read.
  Project project;
  std::optional<Workspace> workspace;
  if (flags.summary.empty() || flags.action == "diagnose") {
    Opened opened = Open(global, out);
    if (opened.failed) return opened.failed;
    project = std::move(*opened.project);
    workspace = std::move(opened.workspace);
  } else if (Result<Project> loaded = LoadProject(global.project_dir); loaded.ok()) {
    project = std::move(*loaded);
  }
  if (flags.action == "predict")
    return Predict(project, workspace ? &*workspace : nullptr, flags, out);
  if (flags.action == "diagnose") return Diagnose(project, *workspace, flags, out);
  Result<ValueReport> report =
      FitCustomerValue(project, workspace ? &*workspace : nullptr, Request(flags));
  if (!report.ok()) return Fail(out, report.status());
  if (out.json) {
    PrintJson({{"ok", true},
               {"value", nlohmann::json::parse(ToJson(*report))},
               {"population", Population(*report)}});
    return 0;
  }
  PrintReport(*report);
  PrintPopulation(*report);
  return 0;
}

}  // namespace segmenta::cli

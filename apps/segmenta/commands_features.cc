#include <iostream>

#include "commands.h"
#include "segmenta/customer_value.h"
#include "segmenta/features.h"
#include "segmenta/project.h"
#include "segmenta/workspace.h"

namespace segmenta::cli {
namespace {

int ListDefinitions(const Output& out) {
  // The feature table's columns, then those `run` adds when the value models run.
  std::vector<FeatureInfo> features = ListFeatures();
  for (FeatureInfo& feature : ValueFeatures()) features.push_back(std::move(feature));
  if (out.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const FeatureInfo& feature : features) {
      list.push_back({{"name", feature.name},
                      {"type", std::string(FeatureTypeName(feature.type))},
                      {"description", feature.description}});
    }
    PrintJson({{"ok", true}, {"features", list}});
    return 0;
  }
  for (const FeatureInfo& feature : features) {
    std::cout << feature.name << " (" << FeatureTypeName(feature.type)
              << "): " << feature.description << "\n";
  }
  return 0;
}

nlohmann::json SummaryJson(const FeatureSummary& summary) {
  nlohmann::json stages = nlohmann::json::object();
  for (const auto& [stage, customers] : summary.journey_stages) stages[stage] = customers;
  return {{"buyers", summary.buyers},
          {"revenue", summary.revenue},
          {"median_recency_days", summary.median_recency_days},
          {"median_frequency", summary.median_frequency},
          {"median_monetary", summary.median_monetary},
          {"journey_stages", stages}};
}

void PrintSummary(const FeatureTable& table, const FeatureSummary& summary) {
  std::cout << "Features as of " << table.as_of << ": " << Thousands(table.customers)
            << " customers x " << table.columns.size() - 1 << " features.\n"
            << "  buyers " << Thousands(summary.buyers) << ", net revenue "
            << Thousands(static_cast<int64_t>(summary.revenue)) << ", median recency "
            << summary.median_recency_days << " days, median frequency " << summary.median_frequency
            << ", median monetary " << summary.median_monetary << "\n  journey stages:";
  for (const auto& [stage, customers] : summary.journey_stages) {
    std::cout << " " << stage << " " << Thousands(customers) << ";";
  }
  std::cout << "\n";
}

}  // namespace

int RunFeatures(const GlobalFlags& global, const FeaturesFlags& flags, const Output& out) {
  if (flags.list) return ListDefinitions(out);
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  const Project& project = *opened.project;
  Workspace& workspace = *opened.workspace;
  FeatureOptions options = project.features;
  if (!flags.as_of.empty()) options.as_of = flags.as_of;
  ProgressBar bar(out.progress);
  Result<FeatureTable> table =
      BuildFeatures(workspace, options, [&](double done) { bar.Update("features", done); });
  bar.Done();
  if (!table.ok()) return Fail(out, table.status());
  Result<FeatureSummary> summary = SummariseFeatures(workspace);
  if (!summary.ok()) return Fail(out, summary.status());
  if (!flags.out.empty()) {
    std::filesystem::path file = flags.out;
    if (file.is_relative()) file = project.root / file;
    std::error_code ignored;  // a missing folder is made; WriteFeatures reports real failures
    std::filesystem::create_directories(file.parent_path(), ignored);
    Status written = WriteFeatures(workspace, file);
    if (!written.ok()) return Fail(out, written);
  }
  if (out.json) {
    PrintJson({{"ok", true},
               {"as_of", table->as_of},
               {"customers", table->customers},
               {"columns", table->columns},
               {"summary", SummaryJson(*summary)},
               {"out", flags.out}});
    return 0;
  }
  PrintSummary(*table, *summary);
  if (!flags.out.empty()) std::cout << "Wrote " << flags.out << "\n";
  return 0;
}

}  // namespace segmenta::cli

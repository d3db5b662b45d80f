// customer, show, preview, forget: one customer, one segment, one rule.
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "segmenta/segments.h"
#include "segmenta/segments_json.h"

namespace segmenta::cli {

int RunCustomer(const GlobalFlags& global, const CustomerFlags& flags, const Output& out) {
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  Result<CustomerView> view = ExplainCustomer(*opened.project, *opened.workspace, flags.id);
  if (!view.ok()) return Fail(out, view.status());
  if (out.json) {
    nlohmann::json json = ToJson(*view);
    json["ok"] = true;
    PrintJson(json);
    return 0;
  }
  std::cout << "Customer " << view->customer_id << " in snapshot " << view->snapshot_id
            << " (as of " << view->as_of << ")\n\nFeatures:\n";
  for (const auto& [name, value] : view->features) {
    std::cout << "  " << name << " = " << (value.empty() ? "(missing)" : value) << "\n";
  }
  for (const Explanation& e : view->explanations) {
    std::string segments;
    for (const std::string& s : e.segments) segments += (segments.empty() ? "" : ", ") + s;
    std::cout << "\n"
              << e.segmentation << " (" << e.method
              << "): " << (segments.empty() ? "in no segment" : segments) << "\n";
    for (const std::string& reason : e.reasons) std::cout << "  " << reason << "\n";
  }
  return 0;
}

namespace {

std::string Figure(const nlohmann::json& value) {
  if (value.is_null()) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", value.get<double>());
  return buffer;
}

// A cluster model: how k was chosen, every k's figures, and the match with the
// previous snapshot.
void PrintClusterModel(const nlohmann::json& model) {
  std::cout << model["method"].get<std::string>() << ", k = " << model["k"] << " ("
            << model["k_chosen_by"].get<std::string>() << ")\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& figures : model["k_search"]) {
    const nlohmann::json& cost =
        figures.contains("inertia") ? figures["inertia"] : figures["neg_log_likelihood"];
    rows.push_back({figures["k"].dump(), Figure(cost), Figure(figures["silhouette"]),
                    Figure(figures["calinski_harabasz"]), Figure(figures["davies_bouldin"]),
                    Figure(figures.value("bic", nlohmann::json()))});
  }
  PrintTable({"k", model["method"] == "gmm" ? "-log L" : "inertia", "silhouette",
              "calinski-harabasz", "davies-bouldin", "bic"},
             rows);
  for (const auto& choice : model["preparation"]["choices"]) {
    std::cout << (&choice == &model["preparation"]["choices"][0] ? "\nprepared:" : ";") << " "
              << choice["feature"].get<std::string>() << " "
              << choice["transform"].get<std::string>() << "+"
              << choice["scaling"].get<std::string>();
  }
  for (const auto& [feature, count] : model["preparation"]["imputed"].items()) {
    std::cout << "\nimputed: " << feature << " for " << count << " customers";
  }
  std::cout << "\n";
  const nlohmann::json& matching = model["matching"];
  if (matching.value("previous_snapshot", 0) > 0) {
    std::cout << "\nmatched to snapshot " << matching["previous_snapshot"] << ": new "
              << matching.value("new", nlohmann::json::array()).dump() << ", vanished "
              << matching.value("vanished", nlohmann::json::array()).dump() << "\n";
  }
}

void PrintCentre(const nlohmann::json& model, const std::string& segment) {
  for (const auto& cluster : model["clusters"]) {
    if (cluster["segment"] != segment) continue;
    std::cout << "\ncentre:";
    for (const auto& [feature, value] : cluster["center"].items()) {
      std::cout << " " << feature << " " << Figure(value) << ";";
    }
    for (const auto& [category, value] : cluster["mode"].items()) {
      std::cout << " " << category << " " << value.get<std::string>() << ";";
    }
    std::cout << "\n\n";
  }
}

void PrintProfile(const ShowFlags& flags, const nlohmann::json& profile) {
  if (profile.value("suppressed", false)) {
    std::cout << flags.segment << ": fewer than " << profile["min_group_size"]
              << " customers; the profile is withheld (privacy.min_group_size)\n";
    return;
  }
  std::cout << flags.segmentation << " / " << flags.segment << " — "
            << profile.value("name", std::string()) << "\n\n"
            << profile.value("description", std::string())
            << "\n\nRecommended play: " << profile["play"].value("name", std::string()) << " — "
            << profile["play"].value("why", std::string()) << "\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& [feature, s] : profile["numbers"].items()) {
    auto text = [](const nlohmann::json& v) { return v.is_null() ? std::string("-") : v.dump(); };
    rows.push_back({feature, text(s["mean"]), text(s["median"]), text(s["p10"]), text(s["p90"]),
                    text(s["base_mean"]), text(s["base_median"])});
  }
  PrintTable({"feature", "mean", "median", "p10", "p90", "base mean", "base median"}, rows);
}

}  // namespace

int RunShow(const GlobalFlags& global, const ShowFlags& flags, const Output& out) {
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  Result<std::string> model_text = SegmentationModelJson(*opened.workspace, flags.segmentation);
  if (!model_text.ok()) return Fail(out, model_text.status());
  nlohmann::json model = nlohmann::json::parse(*model_text);
  nlohmann::json profile;
  if (!flags.segment.empty()) {
    Result<std::string> json =
        SegmentProfileJson(*opened.workspace, flags.segmentation, flags.segment);
    if (!json.ok()) return Fail(out, json.status());
    profile = nlohmann::json::parse(*json);
  }
  if (out.json) {
    model.erase("projection");  // thousands of points: read them from the models table
    PrintJson({{"ok", true}, {"profile", profile}, {"model", model}});
    return 0;
  }
  bool cluster = model.contains("k_search");
  if (!flags.segment.empty()) PrintProfile(flags, profile);
  if (cluster && !flags.segment.empty()) PrintCentre(model, flags.segment);
  if (cluster) PrintClusterModel(model);
  if (!cluster && flags.segment.empty()) std::cout << model.dump(2) << "\n";
  return 0;
}

int RunPreview(const GlobalFlags& global, const PreviewFlags& flags, const Output& out) {
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  Result<RulePreview> preview =
      PreviewRule(*opened.project, *opened.workspace, flags.rule, flags.sample);
  if (!preview.ok()) return Fail(out, preview.status());
  if (out.json) {
    PrintJson({{"ok", true},
               {"customers", preview->customers},
               {"base", preview->base},
               {"sample", preview->sample},
               {"milliseconds", preview->milliseconds}});
    return 0;
  }
  double share = preview->base > 0 ? 100.0 * preview->customers / preview->base : 0;
  char line[128];
  std::snprintf(line, sizeof line, "%s of %s customers (%.1f%%), in %.0f ms\n",
                Thousands(preview->customers).c_str(), Thousands(preview->base).c_str(), share,
                preview->milliseconds);
  std::cout << line;
  for (const std::string& id : preview->sample) std::cout << "  " << id << "\n";
  return 0;
}

int RunForget(const GlobalFlags& global, const CustomerFlags& flags, const Output& out) {
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  Result<int64_t> removed = ForgetCustomer(*opened.workspace, flags.id);
  if (!removed.ok()) return Fail(out, removed.status());
  if (out.json) {
    PrintJson({{"ok", true}, {"rows_removed", *removed}});
  } else {
    std::cout << "Erased the customer: " << Thousands(*removed)
              << " rows removed; recorded in the audit log (by hash).\n";
  }
  return 0;
}

int RunHtmlReport(const GlobalFlags& global, const ReportFlags& flags, const Output& out) {
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  std::filesystem::path file = flags.out;
  if (file.is_relative()) file = std::filesystem::path(global.project_dir) / file;
  Status written = WriteReport(*opened.project, *opened.workspace, file);
  if (!written.ok()) return Fail(out, written);
  if (out.json) {
    PrintJson({{"ok", true}, {"out", file.string()}});
  } else {
    std::cout << "Wrote " << file.string() << "\n";
  }
  return 0;
}

}  // namespace segmenta::cli

// Experiment routes: list, create (audited, under the write lock), analyze, plan.
#include <charconv>

#include "segmenta/experiments.h"
#include "server/http.h"
#include "server/routes.h"

namespace segmenta::server {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

// A number field of a body; absent → nullopt in `value` and true; not a number: 400, false.
bool NumberField(const json& body, Response& res, const std::string& name,
                 std::optional<double>& value) {
  if (!body.contains(name) || body[name].is_null()) return true;
  if (!body[name].is_number()) {
    SendError(res, 400, "invalid_field", name + " must be a number", name);
    return false;
  }
  value = body[name].get<double>();
  return true;
}

std::optional<std::vector<ExperimentVariant>> VariantsField(const json& body, Response& res) {
  const char* kShape = "variants must be a list of {\"name\": text, \"weight\": percent}";
  if (!body.contains("variants") || !body["variants"].is_array()) {
    SendError(res, 400, "invalid_field", kShape, "variants");
    return std::nullopt;
  }
  std::vector<ExperimentVariant> variants;
  for (const json& item : body["variants"]) {
    bool ok = item.is_object() && item.size() == 2 && item.contains("name") &&
              item["name"].is_string() && item.contains("weight") && item["weight"].is_number();
    if (!ok) {
      SendError(res, 400, "invalid_field", kShape, "variants");
      return std::nullopt;
    }
    variants.push_back({item["name"].get<std::string>(), item["weight"].get<double>()});
  }
  return variants;
}

// The body as a definition, or an answer already sent.
std::optional<ExperimentDefinition> DefinitionOf(const Request& req, Response& res) {
  std::optional<json> body = ParseBody(req, res,
                                       {"name", "segmentation", "segment", "variants", "holdout",
                                        "goal", "start", "baseline", "lift"});
  if (!body) return std::nullopt;
  for (const char* required : {"name", "segmentation", "segment", "variants", "holdout", "goal"}) {
    if (!body->contains(required)) {
      SendError(res, 400, "missing_field", std::string(required) + " is required", required);
      return std::nullopt;
    }
  }
  ExperimentDefinition d;
  std::optional<std::string> name = StringField(*body, res, "name", "", 64);
  std::optional<std::string> segmentation =
      name ? StringField(*body, res, "segmentation", "", 200) : std::nullopt;
  std::optional<std::string> segment =
      segmentation ? StringField(*body, res, "segment", "", 200) : std::nullopt;
  std::optional<std::string> goal =
      segment ? StringField(*body, res, "goal", "", 200) : std::nullopt;
  std::optional<std::string> start = goal ? StringField(*body, res, "start", "", 10) : std::nullopt;
  if (!start) return std::nullopt;
  std::optional<std::vector<ExperimentVariant>> variants = VariantsField(*body, res);
  if (!variants) return std::nullopt;
  std::optional<double> holdout;
  if (!NumberField(*body, res, "holdout", holdout) ||
      !NumberField(*body, res, "baseline", d.baseline) ||
      !NumberField(*body, res, "lift", d.lift)) {
    return std::nullopt;
  }
  d.name = *name;
  d.segmentation = *segmentation;
  d.segment = *segment;
  d.goal = *goal;
  if (!start->empty()) d.start = *start;
  d.variants = *variants;
  d.holdout = holdout.value_or(0);
  return d;
}

void List(State& state, const Request&, Response& res, const Caller&) {
  auto ws = state.sessions.Acquire();
  Result<std::vector<Experiment>> experiments = ListExperiments(state.project, *ws);
  if (!experiments.ok()) return SendStatus(res, experiments.status());
  json list = json::array();
  for (const Experiment& experiment : *experiments) list.push_back(ToJson(experiment));
  SendJson(res, 200, {{"experiments", list}});
}

// The body field a refused definition is about, from the library's message (its checks
// name what they check first: "goal '…'", "the start …", "variant …"), for the form.
std::string FieldOf(const Status& status) {
  const std::string& message = status.message();
  for (auto [word, field] : {std::pair{"goal", "goal"},
                             {"start", "start"},
                             {"baseline", "baseline"},
                             {"hold-out", "variants"},
                             {"variant", "variants"},
                             {"weight", "variants"},
                             {"experiment name", "name"},
                             {"segment", "segment"}}) {
    if (message.find(word) != std::string::npos) return field;
  }
  return "";
}

void Create(State& state, const Request& req, Response& res, const Caller& caller) {
  std::optional<ExperimentDefinition> definition = DefinitionOf(req, res);
  if (!definition) return;
  std::lock_guard writer(state.write);
  auto ws = state.sessions.Acquire();
  if (LoadExperiment(state.project, *ws, definition->name).ok()) {
    return SendError(res, 409, "exists",
                     "an experiment named '" + definition->name + "' exists; choose another name",
                     "name");
  }
  Result<Experiment> made = CreateExperiment(state.project, *ws, *definition, caller.Actor());
  if (!made.ok()) return SendStatus(res, made.status(), FieldOf(made.status()));
  SendJson(res, 201, ToJson(*made));
}

void Analyze(State& state, const Request& req, Response& res, const Caller&) {
  std::optional<std::string> by;
  if (req.has_param("by") && !req.get_param_value("by").empty()) by = req.get_param_value("by");
  auto ws = state.sessions.Acquire();
  Result<ExperimentAnalysis> analysis = AnalyzeExperiment(state.project, *ws, req.matches[1], by);
  if (!analysis.ok()) {
    bool bad_by = analysis.status().code() == StatusCode::kInvalidArgument;
    return SendStatus(res, analysis.status(), bad_by ? "by" : "name");
  }
  SendJson(res, 200, ToJson(*analysis));
}

// A query parameter as a number; `fallback` when absent; 400 (false) when not a number.
bool DoubleParam(const Request& req, Response& res, const std::string& name,
                 std::optional<double> fallback, std::optional<double>& value) {
  value = fallback;
  if (!req.has_param(name)) {
    if (fallback) return true;
    SendError(res, 400, "missing_parameter", name + " is required", name);
    return false;
  }
  std::string text = req.get_param_value(name);
  double number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size()) {
    SendError(res, 400, "invalid_parameter", name + " must be a number", name);
    return false;
  }
  value = number;
  return true;
}

void Plan(State&, const Request& req, Response& res, const Caller&) {
  std::optional<double> baseline, lift, alpha, power;
  if (!DoubleParam(req, res, "baseline", std::nullopt, baseline) ||
      !DoubleParam(req, res, "lift", std::nullopt, lift) ||
      !DoubleParam(req, res, "alpha", 0.05, alpha) || !DoubleParam(req, res, "power", 0.8, power)) {
    return;
  }
  Result<ExperimentPlan> plan = PlanExperiment({*baseline, *lift, *alpha, *power});
  if (!plan.ok()) return SendStatus(res, plan.status());
  SendJson(res, 200, ToJson(*plan));
}

}  // namespace

std::vector<Route> ExperimentRoutes() {
  return {
      {"GET", "/v1/experiments", Role::kViewer, List},
      {"POST", "/v1/experiments", Role::kAnalyst, Create},
      {"GET", "/v1/experiments/{name}", Role::kViewer, Analyze},
      {"GET", "/v1/experiment-plan", Role::kViewer, Plan},
  };
}

}  // namespace segmenta::server

// GET /v1/kpis: per-segment KPIs over the snapshots (the JSON of `segmenta kpis --json`).
#include "segmenta/kpis.h"
#include "server/http.h"
#include "server/routes.h"

namespace segmenta::server {
namespace {

using httplib::Request;
using httplib::Response;

// A date parameter: absent → nullopt in `value`; malformed → 400 and false.
bool DateParam(const Request& req, Response& res, const std::string& name,
               std::optional<std::string>& value) {
  if (!req.has_param(name)) return true;
  std::string text = req.get_param_value(name);
  if (!IsDate(text)) {
    SendError(res, 400, "invalid_parameter", name + " must be a date, YYYY-MM-DD", name);
    return false;
  }
  value = text;
  return true;
}

void Kpis(State& state, const Request& req, Response& res, const Caller&) {
  KpiQuery query;
  query.segmentation = req.get_param_value("segmentation");
  if (!DateParam(req, res, "from", query.from) || !DateParam(req, res, "to", query.to)) return;
  auto ws = state.sessions.Acquire();
  Result<KpiReport> report = ComputeKpis(state.project, *ws, query);
  if (!report.ok()) {
    std::string field = report.status().code() == StatusCode::kNotFound ? "segmentation" : "from";
    return SendStatus(res, report.status(), field);
  }
  SendJson(res, 200, ToJson(*report));
}

}  // namespace

std::vector<Route> KpiRoutes() { return {{"GET", "/v1/kpis", Role::kViewer, Kpis}}; }

}  // namespace segmenta::server

// Read routes: health, the latest snapshot's segments and profiles, members, one
// customer, rule previews, snapshots, compare, the report.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/crypto.h"
#include "segmenta/segments.h"
#include "segmenta/segments_json.h"
#include "server/http.h"
#include "server/routes.h"

#ifndef SEGMENTA_VERSION
#define SEGMENTA_VERSION "0.0.0"
#endif

namespace segmenta::server {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

void Health(State& state, const Request&, Response& res, const Caller&) {
  auto ws = state.sessions.Acquire();
  Result<std::vector<SnapshotInfo>> snapshots = ListSnapshots(*ws);
  if (!snapshots.ok()) return SendStatus(res, snapshots.status());
  SendJson(
      res, 200,
      {{"status", "ok"}, {"snapshot", snapshots->empty() ? json() : ToJson(snapshots->back())}});
}

void Version(State& state, const Request&, Response& res, const Caller&) {
  SendJson(res, 200,
           {{"version", SEGMENTA_VERSION},
            {"api", "v1"},
            {"schema_version", state.primary.schema_version()}});
}

void Me(State&, const Request&, Response& res, const Caller& caller) {
  SendJson(res, 200, ToJson(caller.token));
}

// The latest snapshot's sizes, or an answer already sent.
std::optional<RunReport> Latest(State& state, Workspace& ws, Response& res) {
  Result<RunReport> report = LoadSnapshot(state.project, ws, 0);
  if (!report.ok()) {
    SendStatus(res, report.status());
    return std::nullopt;
  }
  return *std::move(report);
}

void Segmentations(State& state, const Request&, Response& res, const Caller&) {
  auto ws = state.sessions.Acquire();
  std::optional<RunReport> report = Latest(state, *ws, res);
  if (!report) return;
  Result<std::vector<SnapshotInfo>> snapshots = ListSnapshots(*ws);
  if (!snapshots.ok()) return SendStatus(res, snapshots.status());
  json snapshot = {{"snapshot_id", report->snapshot_id}, {"as_of", report->as_of}};
  for (const SnapshotInfo& info : *snapshots) {
    if (info.snapshot_id == report->snapshot_id) snapshot = ToJson(info);
  }
  SendJson(res, 200,
           {{"snapshot", snapshot},
            {"customers", report->customers},
            {"seconds", report->seconds},
            {"segmentations", ToJsonArray(report->segmentations)},
            {"health", ToJsonArray(report->health)}});
}

// One segmentation of the latest snapshot, or a 404 naming the closest.
std::optional<SegmentationResult> FindSegmentation(const RunReport& report, const std::string& name,
                                                   Response& res) {
  std::vector<std::string> names;
  for (const SegmentationResult& result : report.segmentations) {
    if (result.name == name) return result;
    names.push_back(result.name);
  }
  std::string hint = ClosestMatch(name, names);
  SendError(res, 404, "not_found",
            "no segmentation '" + name + "' in the latest snapshot" +
                (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
            "segmentation");
  return std::nullopt;
}

std::optional<json> Model(Workspace& ws, const std::string& segmentation, Response& res) {
  Result<std::string> text = SegmentationModelJson(ws, segmentation);
  if (!text.ok()) {
    SendStatus(res, text.status(), "segmentation");
    return std::nullopt;
  }
  return json::parse(*text, nullptr, false);
}

void Segmentation(State& state, const Request& req, Response& res, const Caller&) {
  auto ws = state.sessions.Acquire();
  std::optional<RunReport> report = Latest(state, *ws, res);
  if (!report) return;
  std::optional<SegmentationResult> found = FindSegmentation(*report, req.matches[1], res);
  if (!found) return;
  std::optional<json> model = Model(*ws, found->name, res);
  if (!model) return;
  if (model->is_object()) model->erase("projection");
  // Cluster sizes are aggregates too: those under the minimum are withheld.
  if (model->is_object() && model->contains("clusters") && (*model)["clusters"].is_array()) {
    for (json& cluster : (*model)["clusters"]) {
      if (cluster.is_object() && cluster.value("size", int64_t{0}) < state.project.min_group_size) {
        cluster = {{"id", cluster.value("id", json())},
                   {"segment", cluster.value("segment", json())},
                   {"suppressed", true}};
      }
    }
  }
  json answer = ToJson(*found);
  answer["model"] = *model;
  SendJson(res, 200, answer);
}

void Grid(State& state, const Request& req, Response& res, const Caller&) {
  auto ws = state.sessions.Acquire();
  std::optional<RunReport> report = Latest(state, *ws, res);
  if (!report) return;
  std::optional<SegmentationResult> found = FindSegmentation(*report, req.matches[1], res);
  if (!found) return;
  if (found->method != "rfm") {
    return SendError(res, 400, "not_rfm",
                     "'" + found->name + "' is a " + found->method +
                         " segmentation; the grid is drawn for rfm ones",
                     "segmentation");
  }
  Result<RfmGrid> grid =
      LoadRfmGrid(*ws, report->snapshot_id, found->name, state.project.min_group_size);
  if (!grid.ok()) return SendStatus(res, grid.status());
  json cells = json::array();
  for (const RfmCell& cell : grid->cells) {
    json item = {
        {"r", cell.r}, {"f", cell.f}, {"segment", cell.segment}, {"suppressed", cell.suppressed}};
    if (!cell.suppressed) item["customers"] = cell.customers;
    cells.push_back(item);
  }
  SendJson(res, 200, {{"bins", grid->bins}, {"cells", cells}});
}

void Projection(State& state, const Request& req, Response& res, const Caller&) {
  auto ws = state.sessions.Acquire();
  std::optional<json> model = Model(*ws, req.matches[1], res);
  if (!model) return;
  if (!model->is_object() || !(*model)["projection"].is_object() ||
      !(*model)["clusters"].is_array()) {
    return SendError(res, 400, "not_clusters",
                     "'" + std::string(req.matches[1]) + "' has no cluster projection",
                     "segmentation");
  }
  std::set<int> shown;
  json clusters = json::array();
  for (const auto& cluster : (*model)["clusters"]) {
    if (cluster.value("size", int64_t{0}) < state.project.min_group_size) continue;
    shown.insert(cluster["id"].get<int>());
    clusters.push_back({{"id", cluster["id"]}, {"segment", cluster.value("segment", "")}});
  }
  auto keep = [&](const json& points) {
    json kept = json::array();
    for (const auto& point : points) {
      if (point.size() >= 3 && shown.count(point[2].get<int>())) kept.push_back(point);
    }
    return kept;
  };
  const json& projection = (*model)["projection"];
  SendJson(res, 200,
           {{"points", keep(projection.value("points", json::array()))},
            {"centroids", keep(projection.value("centroids", json::array()))},
            {"clusters", clusters}});
}

// The size of a segment of the latest snapshot, or an answer already sent.
std::optional<SegmentSize> FindSegment(State& state, Workspace& ws, const Request& req,
                                       Response& res) {
  std::optional<RunReport> report = Latest(state, ws, res);
  if (!report) return std::nullopt;
  std::optional<SegmentationResult> found = FindSegmentation(*report, req.matches[1], res);
  if (!found) return std::nullopt;
  std::vector<std::string> names;
  for (const SegmentSize& size : found->segments) {
    if (size.segment == req.matches[2]) return size;
    names.push_back(size.segment);
  }
  std::string hint = ClosestMatch(req.matches[2].str(), names);
  SendError(res, 404, "not_found",
            "no segment '" + req.matches[2].str() + "' in '" + found->name + "'" +
                (hint.empty() ? "" : "; did you mean '" + hint + "'?"),
            "segment");
  return std::nullopt;
}

void Profile(State& state, const Request& req, Response& res, const Caller&) {
  auto ws = state.sessions.Acquire();
  std::optional<SegmentSize> size = FindSegment(state, *ws, req, res);
  if (!size) return;
  json answer = {{"segmentation", req.matches[1]},
                 {"segment", size->segment},
                 {"suppressed", size->suppressed}};
  if (!size->suppressed) {
    Result<std::string> profile = SegmentProfileJson(*ws, req.matches[1], size->segment);
    if (!profile.ok()) return SendStatus(res, profile.status());
    answer["profile"] = json::parse(*profile, nullptr, false);
  }
  SendJson(res, 200, answer);
}

// ListMembers checks the names itself (against every snapshot, which `at` needs), so the
// latest snapshot's sizes are not loaded for a page of ids.
std::optional<std::vector<std::string>> Members(Workspace& ws, const Request& req, Response& res,
                                                const std::string& at) {
  MembersQuery query{req.matches[1], req.matches[2], std::nullopt, 0};
  if (!at.empty()) query.at = at;
  Result<std::vector<std::string>> ids = ListMembers(ws, query);
  if (!ids.ok()) {
    SendStatus(res, ids.status());
    return std::nullopt;
  }
  return *std::move(ids);
}

void MembersPage(State& state, const Request& req, Response& res, const Caller&) {
  std::optional<int64_t> offset = IntParam(req, res, "offset", 0, 0, int64_t{1} << 40);
  if (!offset) return;
  std::optional<int64_t> limit = IntParam(req, res, "limit", 50, 1, 1000);
  if (!limit) return;
  std::string at = req.get_param_value("at");
  if (req.has_param("at") && !IsDate(at)) {
    return SendError(res, 400, "invalid_parameter", "at must be a date, YYYY-MM-DD", "at");
  }
  auto ws = state.sessions.Acquire();
  std::optional<std::vector<std::string>> ids = Members(*ws, req, res, at);
  if (!ids) return;
  auto total = static_cast<int64_t>(ids->size());
  auto first = std::min(*offset, total), last = std::min(*offset + *limit, total);
  SendJson(res, 200,
           {{"segmentation", req.matches[1]},
            {"segment", req.matches[2]},
            {"at", at.empty() ? json() : json(at)},
            {"total", total},
            {"offset", *offset},
            {"limit", *limit},
            {"customers", std::vector<std::string>(ids->begin() + first, ids->begin() + last)}});
}

void Customer(State& state, const Request& req, Response& res, const Caller&) {
  const std::string id = req.matches[1];
  if (state.IsForgotten(id)) return SendError(res, 404, "not_found", "no such customer", "id");
  if (std::shared_ptr<const LookupIndex> index = state.Lookup()) {
    std::optional<CustomerView> view = index->Find(id);
    if (!view) {
      return SendError(
          res, 404, "not_found",
          "no customer '" + id + "' in snapshot " + std::to_string(index->snapshot_id()), "id");
    }
    return SendJson(res, 200, ToJson(*view));
  }
  auto ws = state.sessions.Acquire();
  Result<CustomerView> view = ExplainCustomer(state.project, *ws, req.matches[1]);
  if (!view.ok()) return SendStatus(res, view.status(), "id");
  SendJson(res, 200, ToJson(*view));
}

void Preview(State& state, const Request& req, Response& res, const Caller& caller) {
  std::optional<json> body = ParseBody(req, res, {"rule", "sample"});
  if (!body) return;
  if (!body->contains("rule"))
    return SendError(res, 400, "missing_field", "rule is required", "rule");
  std::optional<std::string> rule = StringField(*body, res, "rule", "", 4096);
  if (!rule) return;
  int64_t sample = 10;
  if (body->contains("sample")) {
    const json& value = (*body)["sample"];
    if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() > 100) {
      return SendError(res, 400, "invalid_field", "sample must be a whole number from 0 to 100",
                       "sample");
    }
    sample = value.get<int64_t>();
  }
  if (caller.token.role == Role::kViewer) sample = 0;  // ids are for analysts
  auto ws = state.sessions.Acquire();
  Result<RulePreview> preview =
      PreviewRule(state.project, *ws, *rule, static_cast<int>(std::max<int64_t>(sample, 1)),
                  /*keep_windows=*/true);
  if (!preview.ok()) {
    if (preview.status().code() == StatusCode::kInvalidArgument) {
      return SendError(res, 400, "invalid_rule", preview.status().message(), "rule");
    }
    return SendStatus(res, preview.status());
  }
  bool suppressed = preview->customers > 0 && preview->customers < state.project.min_group_size;
  json answer = {{"rule", *rule},
                 {"base", preview->base},
                 {"suppressed", suppressed},
                 {"milliseconds", preview->milliseconds}};
  if (!suppressed) answer["customers"] = preview->customers;
  std::vector<std::string> ids;
  if (!suppressed)
    ids.assign(preview->sample.begin(),
               preview->sample.begin() + std::min<size_t>(sample, preview->sample.size()));
  answer["sample"] = ids;
  SendJson(res, 200, answer);
}

void Snapshots(State& state, const Request&, Response& res, const Caller&) {
  auto ws = state.sessions.Acquire();
  Result<std::vector<SnapshotInfo>> snapshots = ListSnapshots(*ws);
  if (!snapshots.ok()) return SendStatus(res, snapshots.status());
  SendJson(res, 200, {{"snapshots", ToJsonArray(*snapshots)}});
}

void Compare(State& state, const Request& req, Response& res, const Caller&) {
  std::optional<int64_t> a = IntParam(req, res, "a", 0, 1, int64_t{1} << 40);
  if (!a) return;
  std::optional<int64_t> b = IntParam(req, res, "b", 0, 1, int64_t{1} << 40);
  if (!b) return;
  if ((*a == 0) != (*b == 0)) {
    return SendError(res, 400, "invalid_parameter", "give both a and b, or neither",
                     *a == 0 ? "a" : "b");
  }
  auto ws = state.sessions.Acquire();
  Result<Comparison> comparison = CompareSnapshots(state.project, *ws, *a, *b);
  if (!comparison.ok()) return SendStatus(res, comparison.status());
  SendJson(res, 200, ToJson(*comparison));
}

void Report(State& state, const Request&, Response& res, const Caller&) {
  auto ws = state.sessions.Acquire();
  std::filesystem::path dir =
      ws->dir().empty() ? std::filesystem::temp_directory_path() : ws->dir() / "tmp";
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  std::filesystem::path file = dir / ("report-" + RandomHex(8) + ".html");
  Status written = WriteReport(state.project, *ws, file);
  std::ifstream stream(file, std::ios::binary);
  std::ostringstream html;
  html << stream.rdbuf();
  std::filesystem::remove(file, error);
  if (!written.ok()) return SendStatus(res, written);
  res.set_content(html.str(), "text/html; charset=utf-8");
}

}  // namespace

std::vector<Route> ReadRoutes() {
  return {
      {"GET", "/v1/health", std::nullopt, Health},
      {"GET", "/v1/version", std::nullopt, Version},
      {"GET", "/v1/me", Role::kViewer, Me},
      {"GET", "/v1/segmentations", Role::kViewer, Segmentations},
      {"GET", "/v1/segmentations/{segmentation}", Role::kViewer, Segmentation},
      {"GET", "/v1/segmentations/{segmentation}/grid", Role::kViewer, Grid},
      {"GET", "/v1/segmentations/{segmentation}/projection", Role::kViewer, Projection},
      {"GET", "/v1/segmentations/{segmentation}/segments/{segment}", Role::kViewer, Profile},
      {"GET", "/v1/segmentations/{segmentation}/segments/{segment}/members", Role::kAnalyst,
       MembersPage},
      {"GET", "/v1/customers/{id}", Role::kAnalyst, Customer},
      {"POST", "/v1/preview", Role::kViewer, Preview},
      {"GET", "/v1/snapshots", Role::kViewer, Snapshots},
      {"GET", "/v1/compare", Role::kViewer, Compare},
      {"GET", "/v1/report", Role::kViewer, Report},
  };
}

}  // namespace segmenta::server

// Write routes: runs as jobs, posted events, erasure, tokens. Each is audited.
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "core/crypto.h"
#include "segmenta/ingest.h"
#include "segmenta/segments.h"
#include "server/http.h"
#include "server/routes.h"

namespace segmenta::server {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

constexpr size_t kMaxEvents = 10000;

json RunJson(const RunJob& job) {
  auto text_or_null = [](const std::string& text) { return text.empty() ? json() : json(text); };
  return {{"run_id", job.run_id},
          {"state", job.state},
          {"step", job.step},
          {"progress", job.progress},
          {"as_of", text_or_null(job.as_of)},
          {"started_at", job.started_at},
          {"finished_at", text_or_null(job.finished_at)},
          {"snapshot_id", job.snapshot_id ? json(job.snapshot_id) : json()},
          {"error", text_or_null(job.error)}};
}

void StartRun(State& state, const Request& req, Response& res, const Caller& caller) {
  std::optional<json> body = ParseBody(req, res, {"as_of"}, /*required=*/false);
  if (!body) return;
  std::optional<std::string> as_of = StringField(*body, res, "as_of", "", 10);
  if (!as_of) return;
  if (!as_of->empty() && !IsDate(*as_of)) {
    return SendError(res, 400, "invalid_field", "as_of must be a date, YYYY-MM-DD", "as_of");
  }
  std::optional<RunJob> job = state.StartRun(*as_of);
  if (!job) return SendError(res, 409, "run_in_progress", "a run is going; wait for it to finish");
  {
    auto ws = state.sessions.Acquire();
    Status audited = AppendAudit(*ws, caller.Actor(), "run", "run " + std::to_string(job->run_id),
                                 as_of->empty() ? "" : "as_of " + *as_of);
    if (!audited.ok()) return SendStatus(res, audited);
  }
  SendJson(res, 202, RunJson(*job));
}

void ListRuns(State& state, const Request&, Response& res, const Caller&) {
  json runs = json::array();
  for (const RunJob& job : state.Runs()) runs.push_back(RunJson(job));
  SendJson(res, 200, {{"runs", runs}});
}

void GetRun(State& state, const Request& req, Response& res, const Caller&) {
  int64_t id = 0;
  std::string text = req.matches[1];
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  std::optional<RunJob> job;
  if (error == std::errc() && end == text.data() + text.size()) job = state.FindRun(id);
  if (!job) return SendError(res, 404, "not_found", "no run '" + text + "'", "run_id");
  SendJson(res, 200, RunJson(*job));
}

void Forget(State& state, const Request& req, Response& res, const Caller& caller) {
  std::lock_guard writer(state.write);
  auto ws = state.sessions.Acquire();
  Result<int64_t> removed = ForgetCustomer(*ws, req.matches[1], caller.Actor());
  if (!removed.ok()) return SendStatus(res, removed.status());
  if (*removed == 0) return SendError(res, 404, "not_found", "no such customer", "id");
  state.Forgot(req.matches[1]);
  SendJson(res, 200, {{"customer_id", req.matches[1]}, {"rows_removed", *removed}});
}

// One event as a JSON-lines record with every field present (null when absent): the
// ingest reads JSON lines by key. A field that is an object or array: 400.
std::optional<std::string> EventLine(const json& event, size_t index, Response& res) {
  static const char* const kFields[] = {"customer_id", "time",     "type",     "amount", "order_id",
                                        "channel",     "category", "campaign", "score"};
  std::string where = "events[" + std::to_string(index) + "]";
  if (!event.is_object()) {
    SendError(res, 400, "invalid_field", where + " must be an object", where);
    return std::nullopt;
  }
  for (const auto& item : event.items()) {
    if (std::find_if(std::begin(kFields), std::end(kFields),
                     [&](const char* name) { return item.key() == name; }) == std::end(kFields)) {
      SendError(res, 400, "unknown_field",
                "unknown field '" + item.key() + "' in " + where +
                    "; an event has customer_id, time, type, amount, order_id, channel, "
                    "category, campaign, score",
                where + "." + item.key());
      return std::nullopt;
    }
    if (item.value().is_structured()) {
      SendError(res, 400, "invalid_field", where + "." + item.key() + " must be a single value",
                where + "." + item.key());
      return std::nullopt;
    }
  }
  json line = json::object();
  for (const char* name : kFields) {
    const json& value = event.contains(name) ? event[name] : json();
    line[name] = value.is_null() || value.is_string() ? value : json(value.dump());
  }
  return line.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The events source a batch is checked as: the project's first events source's policy
// for unknown customers, the canonical field names.
SourceConfig BatchSource(const Project& project, const std::string& name,
                         const std::filesystem::path& file) {
  SourceConfig source;
  source.name = name;
  source.file = file;
  source.kind = SourceKind::kEvents;
  source.format = SourceFormat::kJsonLines;
  source.customer = "customer_id";
  source.time = "time";
  source.type_column = "type";
  source.amount = "amount";
  source.order_id = "order_id";
  source.channel = "channel";
  source.category = "category";
  source.campaign = "campaign";
  source.score = "score";
  for (const SourceConfig& declared : project.sources) {
    if (declared.kind == SourceKind::kEvents) {
      source.unknown_customers = declared.unknown_customers;
      break;
    }
  }
  return source;
}

void PostEvents(State& state, const Request& req, Response& res, const Caller& caller) {
  std::optional<json> body = ParseBody(req, res, {"events"});
  if (!body) return;
  if (!body->contains("events") || !(*body)["events"].is_array()) {
    return SendError(res, 400, "missing_field", "events must be an array of events", "events");
  }
  const json& events = (*body)["events"];
  if (events.size() > kMaxEvents) {
    return SendError(res, 413, "too_many_events",
                     "at most " + std::to_string(kMaxEvents) + " events per request", "events");
  }
  std::string lines;
  for (size_t i = 0; i < events.size(); ++i) {
    std::optional<std::string> line = EventLine(events[i], i, res);
    if (!line) return;
    lines += *line + "\n";
  }
  std::lock_guard writer(state.write);
  auto ws = state.sessions.Acquire();
  std::filesystem::path dir =
      (ws->dir().empty() ? std::filesystem::temp_directory_path() : ws->dir()) / "api";
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  auto stamp = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  std::string name = "api:events-" + std::to_string(stamp) + "-" + RandomHex(4);
  std::filesystem::path file = dir / (name.substr(4) + ".jsonl");
  {
    std::ofstream stream(file, std::ios::binary);
    stream << lines;
    if (!stream) return SendStatus(res, Status::IoError("cannot write " + file.string()));
  }
  Result<SourceReport> report =
      IngestSource(state.project, *ws, BatchSource(state.project, name, file));
  // The batch lives on in the events and quarantine tables (with its lines); the file
  // would be a copy that erasure cannot reach.
  std::filesystem::remove(file, error);
  if (!report.ok()) return SendStatus(res, report.status());
  Result<std::vector<QuarantinedRow>> rows =
      ListQuarantine(*ws, {name, "", static_cast<int64_t>(kMaxEvents)});
  if (!rows.ok()) return SendStatus(res, rows.status());
  json rejected = json::array();
  for (const QuarantinedRow& row : *rows) {
    rejected.push_back({{"index", row.line - 1},
                        {"field", row.column},
                        {"value", row.value},
                        {"reason", row.reason}});
  }
  Status audited = AppendAudit(*ws, caller.Actor(), "events", name,
                               "received " + std::to_string(events.size()) + ", appended " +
                                   std::to_string(report->rows_loaded));
  if (!audited.ok()) return SendStatus(res, audited);
  SendJson(
      res, 200,
      {{"received", events.size()}, {"appended", report->rows_loaded}, {"rejected", rejected}});
}

void ListTokens(State& state, const Request&, Response& res, const Caller&) {
  auto ws = state.sessions.Acquire();
  Result<std::vector<TokenInfo>> tokens = segmenta::ListTokens(*ws);
  if (!tokens.ok()) return SendStatus(res, tokens.status());
  json list = json::array();
  for (const TokenInfo& token : *tokens) list.push_back(ToJson(token));
  SendJson(res, 200, {{"tokens", list}});
}

void CreateToken(State& state, const Request& req, Response& res, const Caller& caller) {
  std::optional<json> body = ParseBody(req, res, {"role", "name", "expires_days"});
  if (!body) return;
  std::optional<std::string> role_name = StringField(*body, res, "role", "", 16);
  if (!role_name) return;
  Result<Role> role = ParseRole(*role_name);
  if (!role.ok()) return SendStatus(res, role.status(), "role");
  std::optional<std::string> name = StringField(*body, res, "name", "", 100);
  if (!name) return;
  int64_t days = 0;
  if (body->contains("expires_days")) {
    const json& value = (*body)["expires_days"];
    if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > 36500) {
      return SendError(res, 400, "invalid_field", "expires_days must be a whole number from 1",
                       "expires_days");
    }
    days = value.get<int64_t>();
  }
  std::lock_guard writer(state.write);
  auto ws = state.sessions.Acquire();
  Result<NewToken> made =
      segmenta::CreateToken(*ws, *role, *name, static_cast<int>(days), caller.Actor());
  if (!made.ok()) return SendStatus(res, made.status());
  Status reloaded = state.tokens.Reload(*ws);
  if (!reloaded.ok()) return SendStatus(res, reloaded);
  json answer = ToJson(made->info);
  answer["token"] = made->secret;
  SendJson(res, 201, answer);
}

void RevokeToken(State& state, const Request& req, Response& res, const Caller& caller) {
  std::lock_guard writer(state.write);
  auto ws = state.sessions.Acquire();
  Result<TokenInfo> revoked = segmenta::RevokeToken(*ws, req.matches[1], caller.Actor());
  if (!revoked.ok()) return SendStatus(res, revoked.status(), "token_id");
  Status reloaded = state.tokens.Reload(*ws);
  if (!reloaded.ok()) return SendStatus(res, reloaded);
  SendJson(res, 200, ToJson(*revoked));
}

}  // namespace

std::vector<Route> WriteRoutes() {
  return {
      {"GET", "/v1/runs", Role::kViewer, ListRuns},
      {"POST", "/v1/runs", Role::kAdmin, StartRun},
      {"GET", "/v1/runs/{run_id}", Role::kViewer, GetRun},
      {"DELETE", "/v1/customers/{id}", Role::kAdmin, Forget},
      {"POST", "/v1/events", Role::kAdmin, PostEvents},
      {"GET", "/v1/tokens", Role::kAdmin, ListTokens},
      {"POST", "/v1/tokens", Role::kAdmin, CreateToken},
      {"DELETE", "/v1/tokens/{token_id}", Role::kAdmin, RevokeToken},
  };
}

}  // namespace segmenta::server

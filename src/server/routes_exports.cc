// Export routes: an audience file (a segment or an experiment's variant) as the answer's
// body, and the recent exports from the audit table.
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/crypto.h"
#include "segmenta/exports.h"
#include "server/http.h"
#include "server/routes.h"

namespace segmenta::server {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

constexpr size_t kMaxName = 256;
constexpr size_t kMaxColumns = 200;

std::string_view ContentType(ExportFormat format) {
  switch (format) {
    case ExportFormat::kCsv:
      return "text/csv";
    case ExportFormat::kJsonLines:
      return "application/x-ndjson";
    case ExportFormat::kParquet:
      return "application/vnd.apache.parquet";
  }
  return "application/octet-stream";
}

// "rfm-Champions.csv": letters, digits, '-' and '_' only.
std::string DownloadName(const ExportRequest& request) {
  const Audience& audience = request.audience;
  std::string name = audience.experiment.empty()
                         ? audience.segmentation + "-" + audience.segment
                         : "experiment-" + audience.experiment + "-" + audience.variant;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '_';
  }
  return name + "." + std::string(ToString(request.format));
}

std::optional<bool> BoolField(const json& body, Response& res, const std::string& name) {
  if (!body.contains(name) || body[name].is_null()) return false;
  if (body[name].is_boolean()) return body[name].get<bool>();
  SendError(res, 400, "invalid_field", name + " must be true or false", name);
  return std::nullopt;
}

std::optional<std::vector<std::string>> ColumnsField(const json& body, Response& res) {
  std::vector<std::string> columns;
  if (!body.contains("columns") || body["columns"].is_null()) return columns;
  const json& value = body["columns"];
  bool valid = value.is_array() && value.size() <= kMaxColumns;
  for (const json& item : value) {
    valid = valid && item.is_string() && item.get<std::string>().size() <= kMaxName;
    if (valid) columns.push_back(item.get<std::string>());
  }
  if (valid) return columns;
  SendError(res, 400, "invalid_field",
            "columns must be an array of at most " + std::to_string(kMaxColumns) +
                " attribute or feature names",
            "columns");
  return std::nullopt;
}

// A segment (segmentation and segment) or an experiment's variant; nullopt with a 400 sent.
std::optional<Audience> AudienceFields(const json& body, Response& res) {
  Audience audience;
  for (auto [name, field] : {std::pair{"segmentation", &audience.segmentation},
                             {"segment", &audience.segment},
                             {"experiment", &audience.experiment},
                             {"variant", &audience.variant}}) {
    std::optional<std::string> value = StringField(body, res, name, "", kMaxName);
    if (!value) return std::nullopt;
    *field = *value;
  }
  bool segment = !audience.segmentation.empty() || !audience.segment.empty();
  bool experiment = !audience.experiment.empty() || !audience.variant.empty();
  bool complete = segment ? !audience.segmentation.empty() && !audience.segment.empty()
                          : !audience.experiment.empty() && !audience.variant.empty();
  if (segment != experiment && complete) return audience;
  bool named = segment || experiment;
  SendError(res, 400, named ? "invalid_body" : "missing_field",
            "name one audience: segmentation and segment, or experiment and variant",
            named ? "" : "segment");
  return std::nullopt;
}

// The request a body asks for, or nullopt with a 400 sent.
std::optional<ExportRequest> ParseRequest(const Request& req, Response& res) {
  std::optional<json> body = ParseBody(req, res,
                                       {"segmentation", "segment", "experiment", "variant",
                                        "format", "columns", "hash_pii", "include_no_consent"});
  if (!body) return std::nullopt;
  ExportRequest request;
  std::optional<Audience> audience = AudienceFields(*body, res);
  if (!audience) return std::nullopt;
  request.audience = *audience;
  std::optional<std::string> format = StringField(*body, res, "format", "csv", 16);
  if (!format) return std::nullopt;
  Result<ExportFormat> parsed = ParseExportFormat(*format);
  if (!parsed.ok()) {
    SendError(res, 400, "invalid_field", parsed.status().message(), "format");
    return std::nullopt;
  }
  request.format = *parsed;
  std::optional<std::vector<std::string>> columns = ColumnsField(*body, res);
  if (!columns) return std::nullopt;
  request.columns = *columns;
  std::optional<bool> hash_pii = BoolField(*body, res, "hash_pii");
  if (!hash_pii) return std::nullopt;
  request.hash_pii = *hash_pii;
  std::optional<bool> include = BoolField(*body, res, "include_no_consent");
  if (!include) return std::nullopt;
  request.include_no_consent = *include;
  return request;
}

// The library's messages name what was wrong first ("no segment 'x' in ...", "unknown
// column 'y'"); the field is read from there.
std::string ErrorField(const Status& status, const Audience& audience) {
  auto starts = [&](const char* prefix) { return status.message().rfind(prefix, 0) == 0; };
  if (starts("unknown column")) return "columns";
  if (status.code() == StatusCode::kInvalidArgument) return "include_no_consent";
  if (!audience.experiment.empty()) return starts("no variant") ? "variant" : "experiment";
  return starts("no segment '") ? "segment" : "segmentation";
}

void SendExportError(Response& res, const Status& status, const ExportRequest& request) {
  switch (status.code()) {
    case StatusCode::kDataError:
      return SendError(res, 422, "too_small", status.message());
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
      return SendStatus(res, status, ErrorField(status, request.audience));
    default:
      return SendStatus(res, status);
  }
}

std::string ReadAll(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << stream.rdbuf();
  return bytes.str();
}

// An append to the audit table only: like the other reads it takes no state.write (which
// is taken before a session everywhere else).
void Export(State& state, const Request& req, Response& res, const Caller& caller) {
  std::optional<ExportRequest> request = ParseRequest(req, res);
  if (!request) return;
  request->actor = caller.Actor();
  auto ws = state.sessions.Acquire();
  std::filesystem::path dir =
      ws->dir().empty() ? std::filesystem::temp_directory_path() : ws->dir() / "tmp";
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  std::filesystem::path file = dir / ("export-" + RandomHex(8));
  Result<ExportSummary> summary = ExportAudience(state.project, *ws, *request, file);
  if (!summary.ok()) return SendExportError(res, summary.status(), *request);
  std::string bytes = ReadAll(file);
  std::filesystem::remove(file, error);
  res.set_header("Content-Disposition", "attachment; filename=\"" + DownloadName(*request) + "\"");
  res.set_header("X-Segmenta-Customers", std::to_string(summary->customers));
  res.set_header("X-Segmenta-Left-Out-No-Consent", std::to_string(summary->left_out_no_consent));
  res.set_content(bytes, std::string(ContentType(request->format)));
}

void RecentExports(State& state, const Request& req, Response& res, const Caller&) {
  std::optional<int64_t> limit = IntParam(req, res, "limit", 50, 1, 1000);
  if (!limit) return;
  auto ws = state.sessions.Acquire();
  Result<std::vector<ExportRecord>> records = ListExports(*ws, *limit);
  if (!records.ok()) return SendStatus(res, records.status());
  json exports = json::array();
  for (const ExportRecord& record : *records) {
    exports.push_back({{"ts", record.ts},
                       {"actor", record.actor},
                       {"object", record.audience},
                       {"detail", record.detail}});
  }
  SendJson(res, 200, {{"exports", exports}});
}

}  // namespace

std::vector<Route> ExportRoutes() {
  return {
      {"POST", "/v1/exports", Role::kAnalyst, Export},
      {"GET", "/v1/exports", Role::kAnalyst, RecentExports},
  };
}

}  // namespace segmenta::server

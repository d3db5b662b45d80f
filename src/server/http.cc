#include "server/http.h"

#include <charconv>
#include <chrono>

namespace segmenta::server {

using nlohmann::json;

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void SendError(httplib::Response& res, int status, const std::string& code,
               const std::string& message, const std::string& field) {
  json error = {{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  SendJson(res, status, {{"error", error}});
}

void SendStatus(httplib::Response& res, const Status& status, const std::string& field) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return SendError(res, 400, "invalid_argument", status.message(), field);
    case StatusCode::kNotFound:
      return SendError(res, 404, "not_found", status.message(), field);
    case StatusCode::kDataError:
      return SendError(res, 422, "data_error", status.message(), field);
    default:
      return SendError(res, 500, "internal", "the server failed; its log says why");
  }
}

std::optional<json> ParseBody(const httplib::Request& req, httplib::Response& res,
                              std::initializer_list<std::string_view> allowed, bool required) {
  if (req.body.empty() && !required) return json::object();
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    SendError(res, 400, "malformed_json", "the body is not valid JSON");
    return std::nullopt;
  }
  if (!body.is_object()) {
    SendError(res, 400, "invalid_body", "the body must be a JSON object");
    return std::nullopt;
  }
  for (const auto& item : body.items()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || item.key() == name;
    if (!known) {
      std::string list;
      for (std::string_view name : allowed) list += (list.empty() ? "" : ", ") + std::string(name);
      SendError(res, 400, "unknown_field",
                "unknown field '" + item.key() + "'; this route takes: " + list, item.key());
      return std::nullopt;
    }
  }
  return body;
}

std::optional<int64_t> IntParam(const httplib::Request& req, httplib::Response& res,
                                const std::string& name, int64_t fallback, int64_t low,
                                int64_t high) {
  if (!req.has_param(name)) return fallback;
  std::string text = req.get_param_value(name);
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < low || value > high) {
    SendError(res, 400, "invalid_parameter",
              name + " must be a whole number from " + std::to_string(low) + " to " +
                  std::to_string(high),
              name);
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> StringField(const json& body, httplib::Response& res,
                                       const std::string& name, const std::string& fallback,
                                       size_t max_size) {
  if (!body.contains(name) || body[name].is_null()) return fallback;
  if (!body[name].is_string()) {
    SendError(res, 400, "invalid_field", name + " must be a string", name);
    return std::nullopt;
  }
  std::string value = body[name].get<std::string>();
  if (value.size() > max_size) {
    SendError(res, 400, "invalid_field",
              name + " is longer than " + std::to_string(max_size) + " characters", name);
    return std::nullopt;
  }
  return value;
}

bool IsDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int year = 0;
  unsigned month = 0, day = 0;
  auto digits = [&](size_t at, size_t count, auto& out) {
    auto [end, error] = std::from_chars(text.data() + at, text.data() + at + count, out);
    return error == std::errc() && end == text.data() + at + count;
  };
  if (!digits(0, 4, year) || !digits(5, 2, month) || !digits(8, 2, day)) return false;
  return std::chrono::year_month_day(std::chrono::year(year), std::chrono::month(month),
                                     std::chrono::day(day))
      .ok();
}

}  // namespace segmenta::server

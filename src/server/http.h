// JSON in and out of the API: answers, errors ({"error": {code, message, field}}),
// strict bodies and query parameters. A helper that answers an error returns nullopt.
#ifndef SEGMENTA_SERVER_HTTP_H_
#define SEGMENTA_SERVER_HTTP_H_

#include <httplib.h>

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "segmenta/status.h"

namespace segmenta::server {

void SendJson(httplib::Response& res, int status, const nlohmann::json& body);
void SendError(httplib::Response& res, int status, const std::string& code,
               const std::string& message, const std::string& field = "");
// InvalidArgument → 400, NotFound → 404, DataError → 422, others → 500 (the message
// of an internal failure is not sent: it may name files or SQL).
void SendStatus(httplib::Response& res, const Status& status, const std::string& field = "");

// The body as a JSON object whose fields are all in `allowed`. An empty body is {} when
// `required` is false. Malformed JSON, another type or an unknown field: 400.
std::optional<nlohmann::json> ParseBody(const httplib::Request& req, httplib::Response& res,
                                        std::initializer_list<std::string_view> allowed,
                                        bool required = true);

// A query parameter as an integer in [low, high]; `fallback` when absent; 400 otherwise.
std::optional<int64_t> IntParam(const httplib::Request& req, httplib::Response& res,
                                const std::string& name, int64_t fallback, int64_t low,
                                int64_t high);

// A string field of a parsed body: absent → fallback; another type, or longer than
// `max_size`: 400.
std::optional<std::string> StringField(const nlohmann::json& body, httplib::Response& res,
                                       const std::string& name, const std::string& fallback,
                                       size_t max_size);

// YYYY-MM-DD with a real day in it.
bool IsDate(std::string_view text);

}  // namespace segmenta::server

#endif  // SEGMENTA_SERVER_HTTP_H_

#include "project/activation.h"

#include <algorithm>
#include <set>
#include <string>

namespace segmenta::project_internal {
namespace {

// A table at `key` of the root, or nullptr when absent; an error when not a table.
Result<const toml::table*> OptionalTable(const toml::table& root, const std::filesystem::path& file,
                                         std::string_view key) {
  const toml::node* node = root.get(key);
  if (!node) return static_cast<const toml::table*>(nullptr);
  const auto* table = node->as_table();
  if (!table) {
    return TableReader(root, "", file)
        .Error(node, key, "expected a table: [" + std::string(key) + "]");
  }
  return table;
}

bool ValidSegmentPattern(const std::string& pattern) {
  size_t slash = pattern.find('/');
  return slash != std::string::npos && slash > 0 && slash + 1 < pattern.size() &&
         pattern.find('/', slash + 1) == std::string::npos;
}

Status CheckUrl(TableReader& reader, const toml::table& table, const std::string& url) {
  bool http = url.rfind("http://", 0) == 0 && url.size() > 7;
  bool https = url.rfind("https://", 0) == 0 && url.size() > 8;
  if (http || https) return Status::Ok();
  return reader.Error(table.get("url"), "url",
                      "'" + url + "' is not an http:// or https:// address, e.g. "
                                  "\"https://crm.example.com/hooks/segments\"");
}

Result<WebhookConfig> ParseWebhook(const toml::table& table, const std::filesystem::path& file,
                                   const std::set<std::string>& seen) {
  TableReader reader(table, "webhook", file);
  WebhookConfig config;
  config.line = reader.line();
  SEG_RETURN_IF_ERROR(reader.Required("name", config.name, "crm"));
  if (seen.count(config.name)) {
    return reader.Error(table.get("name"), "name",
                        "another [[webhook]] is already named '" + config.name + "'");
  }
  SEG_RETURN_IF_ERROR(reader.Required("url", config.url, "https://crm.example.com/hooks"));
  SEG_RETURN_IF_ERROR(CheckUrl(reader, table, config.url));
  SEG_RETURN_IF_ERROR(reader.String("secret", config.secret));
  SEG_RETURN_IF_ERROR(reader.String("secret_env", config.secret_env));
  if (config.secret.empty() == config.secret_env.empty()) {
    return reader.Error(nullptr, "secret",
                        "give exactly one of secret = \"...\" or secret_env = \"VARIABLE\" "
                        "(the environment variable holding the signing secret)");
  }
  SEG_RETURN_IF_ERROR(reader.StringList("segments", config.segments));
  if (config.segments.empty()) {
    return reader.Error(table.get("segments"), "segments",
                        "name the segments to send, e.g. segments = [\"rfm/Champions\", "
                        "\"audiences/*\"]");
  }
  for (const std::string& pattern : config.segments) {
    if (!ValidSegmentPattern(pattern)) {
      return reader.Error(table.get("segments"), "segments",
                          "'" + pattern +
                              "' is not \"segmentation/segment\" or \"segmentation/*\"");
    }
  }
  SEG_RETURN_IF_ERROR(reader.Integer("batch_size", config.batch_size, 1, 100000));
  SEG_RETURN_IF_ERROR(reader.Integer("timeout_seconds", config.timeout_seconds, 1, 600));
  SEG_RETURN_IF_ERROR(reader.Integer("max_attempts", config.max_attempts, 1, 100));
  SEG_RETURN_IF_ERROR(
      reader.Number("backoff_seconds", config.backoff_seconds, 0, 3600, "1 (then 2, 4, ...)"));
  SEG_RETURN_IF_ERROR(reader.CheckNoUnknownKeys());
  return config;
}

Status ParseWebhooks(const toml::table& root, const std::filesystem::path& file,
                     Project& project) {
  const toml::node* node = root.get("webhook");
  if (!node) return Status::Ok();
  TableReader reader(root, "", file);
  const auto* array = node->as_array();
  if (!array) return reader.Error(node, "webhook", "write each destination as [[webhook]]");
  std::set<std::string> seen;
  for (const toml::node& item : *array) {
    const auto* table = item.as_table();
    if (!table) return reader.Error(&item, "webhook", "write each destination as [[webhook]]");
    SEG_ASSIGN_OR_RETURN(WebhookConfig config, ParseWebhook(*table, file, seen));
    seen.insert(config.name);
    project.webhooks.push_back(std::move(config));
  }
  return Status::Ok();
}

Status ParseExport(const toml::table& root, const std::filesystem::path& file,
                   ExportOptions& options) {
  SEG_ASSIGN_OR_RETURN(const toml::table* table, OptionalTable(root, file, "export"));
  if (!table) return Status::Ok();
  TableReader reader(*table, "export", file);
  SEG_RETURN_IF_ERROR(reader.String("phone_country", options.phone_country));
  const std::string& code = options.phone_country;
  bool digits = std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || code.size() > 3 || (!code.empty() && code[0] == '0')) {
    return reader.Error(table->get("phone_country"), "phone_country",
                        "'" + code + "' is not a country calling code; write its digits "
                                     "without '+', e.g. \"40\" for Romania or \"1\" for the US");
  }
  return reader.CheckNoUnknownKeys();
}

Status ParseKpis(const toml::table& root, const std::filesystem::path& file,
                 KpiOptions& options) {
  SEG_ASSIGN_OR_RETURN(const toml::table* table, OptionalTable(root, file, "kpis"));
  if (!table) return Status::Ok();
  TableReader reader(*table, "kpis", file);
  SEG_RETURN_IF_ERROR(reader.Integer("period_days", options.period_days, 1, 3650));
  return reader.CheckNoUnknownKeys();
}

}  // namespace

Status ParseActivation(const toml::table& root, const std::filesystem::path& file,
                       Project& project) {
  SEG_RETURN_IF_ERROR(ParseWebhooks(root, file, project));
  SEG_RETURN_IF_ERROR(ParseExport(root, file, project.exports));
  return ParseKpis(root, file, project.kpis);
}

}  // namespace segmenta::project_internal

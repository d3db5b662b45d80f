#include "segmenta/project.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "project/activation.h"
#include "project/segmentations.h"
#include "project/toml_reader.h"

namespace segmenta {
namespace {

using project_internal::JoinQuoted;
using project_internal::TableReader;

template <typename Enum>
struct Named {
  const char* name;
  Enum value;
};

constexpr Named<AttributeRole> kRoles[] = {{"demographic", AttributeRole::kDemographic},
                                           {"geographic", AttributeRole::kGeographic},
                                           {"psychographic", AttributeRole::kPsychographic},
                                           {"contact", AttributeRole::kContact},
                                           {"consent", AttributeRole::kConsent}};
constexpr Named<AttributeType> kTypes[] = {{"number", AttributeType::kNumber},
                                           {"category", AttributeType::kCategory},
                                           {"date", AttributeType::kDate},
                                           {"text", AttributeType::kText},
                                           {"list", AttributeType::kList}};

template <typename Enum, size_t N>
std::optional<Enum> Lookup(const Named<Enum> (&table)[N], std::string_view name) {
  for (const auto& entry : table) {
    if (name == entry.name) return entry.value;
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
std::vector<std::string> Names(const Named<Enum> (&table)[N]) {
  std::vector<std::string> out;
  for (const auto& entry : table) out.emplace_back(entry.name);
  return out;
}

template <typename Enum, size_t N>
std::string_view NameOf(const Named<Enum> (&table)[N], Enum value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "?";
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 63 || name[0] == '_') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// "role:type" → Attribute fields.
Status ParseRoleType(TableReader& reader, const toml::node* node, const std::string& key,
                     std::string_view spec, Attribute& attribute) {
  size_t colon = spec.find(':');
  std::string role(spec.substr(0, colon));
  std::string type(colon == std::string_view::npos ? "" : spec.substr(colon + 1));
  auto parsed_role = Lookup(kRoles, role);
  auto parsed_type = Lookup(kTypes, type);
  if (parsed_role && parsed_type) {
    attribute.role = *parsed_role;
    attribute.type = *parsed_type;
    return Status::Ok();
  }
  std::string hint;
  if (!parsed_role) {
    std::string close = ClosestMatch(role, Names(kRoles));
    hint = "role '" + role + "' is not one of " + JoinQuoted(Names(kRoles)) +
           (close.empty() ? "" : " (did you mean '" + close + "'?)");
  } else {
    std::string close = ClosestMatch(type, Names(kTypes));
    hint = "type '" + type + "' is not one of " + JoinQuoted(Names(kTypes)) +
           (close.empty() ? "" : " (did you mean '" + close + "'?)");
  }
  return reader.Error(node, "attributes." + key,
                      "expected \"role:type\" such as \"demographic:number\"; " + hint);
}

Status ParseAttribute(TableReader& reader, const std::string& key, const toml::node& node,
                      Attribute& attribute) {
  attribute.name = key;
  attribute.column = key;
  if (!ValidName(key)) {
    return reader.Error(&node, "attributes." + key,
                        "attribute names use letters, digits and '_' and do not start with '_'");
  }
  if (const auto* spec = node.as_string()) {
    return ParseRoleType(reader, &node, key, spec->get(), attribute);
  }
  const auto* table = node.as_table();
  if (!table) {
    return reader.Error(&node, "attributes." + key,
                        "expected \"role:type\" or { column = \"...\", role = \"...\", "
                        "type = \"...\" }");
  }
  TableReader inner(*table, "attributes." + key, reader.file());
  std::string role = "demographic", type = "text";
  SEG_RETURN_IF_ERROR(inner.String("column", attribute.column));
  SEG_RETURN_IF_ERROR(inner.String("role", role));
  SEG_RETURN_IF_ERROR(inner.String("type", type));
  SEG_RETURN_IF_ERROR(inner.CheckNoUnknownKeys());
  return ParseRoleType(reader, &node, key, role + ":" + type, attribute);
}

Status ParseAttributes(TableReader& reader, SourceConfig& source) {
  const toml::node* node = reader.Node("attributes");
  if (!node) return Status::Ok();
  const auto* table = node->as_table();
  if (!table) {
    return reader.Error(node, "attributes",
                        "expected a table, e.g. attributes = { age = \"demographic:number\" }");
  }
  for (const auto& [key, value] : *table) {
    Attribute attribute;
    SEG_RETURN_IF_ERROR(ParseAttribute(reader, std::string(key.str()), value, attribute));
    source.attributes.push_back(std::move(attribute));
  }
  return Status::Ok();
}

Status ParseFormat(TableReader& reader, SourceConfig& source) {
  std::string format;
  SEG_RETURN_IF_ERROR(reader.Choice("format", format, {"csv", "parquet", "jsonl"}));
  if (format.empty()) {
    std::string ext = source.file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    if (ext == ".parquet")
      format = "parquet";
    else if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json")
      format = "jsonl";
    else
      format = "csv";
  }
  source.format = format == "parquet" ? SourceFormat::kParquet
                  : format == "jsonl" ? SourceFormat::kJsonLines
                                      : SourceFormat::kCsv;
  SEG_RETURN_IF_ERROR(reader.Char("delimiter", source.csv.delimiter, false));
  SEG_RETURN_IF_ERROR(reader.Char("quote", source.csv.quote, true));
  SEG_RETURN_IF_ERROR(reader.OptionalBool("header", source.csv.header));
  SEG_RETURN_IF_ERROR(reader.Bool("multiline", source.csv.multiline));
  return reader.Choice("encoding", source.csv.encoding, {"utf-8", "latin-1", "utf-16"});
}

Status ParseEventColumns(TableReader& reader, SourceConfig& source) {
  SEG_RETURN_IF_ERROR(reader.Required("customer", source.customer, "customer_id"));
  SEG_RETURN_IF_ERROR(reader.Required("time", source.time, "timestamp"));
  SEG_RETURN_IF_ERROR(reader.String("time_format", source.time_format));
  SEG_RETURN_IF_ERROR(reader.String("type", source.type));
  SEG_RETURN_IF_ERROR(reader.String("type_column", source.type_column));
  if (source.type.empty() == source.type_column.empty()) {
    return reader.Error(nullptr, "type",
                        "give exactly one of type = \"purchase\" (every row has that type) or "
                        "type_column = \"...\" (a column holds each row's type)");
  }
  for (auto [key, field] : {std::pair{"amount", &source.amount},
                            {"order_id", &source.order_id},
                            {"channel", &source.channel},
                            {"category", &source.category},
                            {"campaign", &source.campaign},
                            {"score", &source.score}}) {
    SEG_RETURN_IF_ERROR(reader.String(key, *field));
  }
  SEG_RETURN_IF_ERROR(reader.StringList("props", source.props));
  std::string policy;
  SEG_RETURN_IF_ERROR(reader.Choice("unknown_customers", policy, {"create", "quarantine"}));
  if (policy == "quarantine") source.unknown_customers = UnknownCustomers::kQuarantine;
  return Status::Ok();
}

// kind = "spend": period and cost are required; campaign, channel and segment name
// columns when the file has them.
Status ParseSpendColumns(TableReader& reader, SourceConfig& source) {
  SEG_RETURN_IF_ERROR(reader.Required("period", source.period, "month"));
  SEG_RETURN_IF_ERROR(reader.Required("cost", source.cost, "cost"));
  for (auto [key, field] : {std::pair{"campaign", &source.campaign},
                            {"channel", &source.channel},
                            {"segment", &source.segment}}) {
    SEG_RETURN_IF_ERROR(reader.String(key, *field));
  }
  return Status::Ok();
}

Result<SourceConfig> ParseSource(const std::string& name, const toml::table& table,
                                 const std::filesystem::path& file) {
  TableReader reader(table, "sources." + name, file);
  SourceConfig source;
  source.name = name;
  source.line = reader.line();
  if (!ValidName(name)) {
    return reader.Error(nullptr, "",
                        "source names use letters, digits and '_' (e.g. [sources.orders])");
  }
  std::string path, kind;
  SEG_RETURN_IF_ERROR(reader.Required("file", path, "data/orders.csv"));
  source.file = path;
  if (source.file.is_relative()) source.file = file.parent_path() / source.file;
  SEG_RETURN_IF_ERROR(reader.Choice("kind", kind, {"customers", "events", "spend"}));
  if (kind.empty()) {
    return reader.Error(nullptr, "kind", "is required: \"customers\", \"events\" or \"spend\"");
  }
  source.kind = kind == "customers" ? SourceKind::kCustomers
                : kind == "spend"   ? SourceKind::kSpend
                                    : SourceKind::kEvents;
  SEG_RETURN_IF_ERROR(ParseFormat(reader, source));
  SEG_RETURN_IF_ERROR(reader.String("filter", source.filter));
  SEG_RETURN_IF_ERROR(reader.Bool("dedupe", source.dedupe));
  if (source.kind == SourceKind::kCustomers) {
    SEG_RETURN_IF_ERROR(reader.Required("id", source.id, "customer_id"));
    SEG_RETURN_IF_ERROR(ParseAttributes(reader, source));
  } else if (source.kind == SourceKind::kSpend) {
    SEG_RETURN_IF_ERROR(ParseSpendColumns(reader, source));
  } else {
    SEG_RETURN_IF_ERROR(ParseEventColumns(reader, source));
  }
  SEG_RETURN_IF_ERROR(reader.CheckNoUnknownKeys());
  return source;
}

Status ParseSources(const toml::table& root, const std::filesystem::path& file, Project& project) {
  const toml::node* node = root.get("sources");
  if (!node) return Status::Ok();
  const auto* sources = node->as_table();
  TableReader reader(root, "", file);
  if (!sources) return reader.Error(node, "sources", "expected tables like [sources.orders]");
  for (const auto& [key, value] : *sources) {
    const auto* table = value.as_table();
    if (!table) {
      return reader.Error(&value, "sources." + std::string(key.str()),
                          "expected a table: write [sources." + std::string(key.str()) + "]");
    }
    SEG_ASSIGN_OR_RETURN(SourceConfig source, ParseSource(std::string(key.str()), *table, file));
    project.sources.push_back(std::move(source));
  }
  std::stable_sort(project.sources.begin(), project.sources.end(),
                   [](const SourceConfig& a, const SourceConfig& b) {
                     return a.kind == SourceKind::kCustomers && b.kind != SourceKind::kCustomers;
                   });
  return Status::Ok();
}

bool ValidIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int month = std::atoi(std::string(text.substr(5, 2)).c_str());
  int day = std::atoi(std::string(text.substr(8, 2)).c_str());
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// "2GB", "512MB", "1.5 GiB".
bool ValidMemorySize(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.')) {
    ++digits;
  }
  std::string unit = text.substr(digits);
  unit.erase(0, unit.find_first_not_of(' '));
  std::transform(unit.begin(), unit.end(), unit.begin(), ::toupper);
  static const std::set<std::string> units = {"KB", "MB", "GB", "TB", "KIB", "MIB", "GIB", "TIB"};
  return digits > 0 && units.count(unit) > 0;
}

// "11-15..12-31" → HolidayWindow.
bool ParseHoliday(std::string_view text, HolidayWindow& window) {
  int values[4];
  if (std::sscanf(std::string(text).c_str(), "%d-%d..%d-%d", &values[0], &values[1], &values[2],
                  &values[3]) != 4) {
    return false;
  }
  window = {values[0], values[1], values[2], values[3]};
  return values[0] >= 1 && values[0] <= 12 && values[2] >= 1 && values[2] <= 12 && values[1] >= 1 &&
         values[1] <= 31 && values[3] >= 1 && values[3] <= 31;
}

Status ParseFeatures(const toml::table& root, const std::filesystem::path& file,
                     FeatureOptions& options) {
  const toml::node* node = root.get("features");
  if (!node) return Status::Ok();
  TableReader top(root, "", file);
  const auto* table = node->as_table();
  if (!table) return top.Error(node, "features", "expected a table: [features]");
  TableReader reader(*table, "features", file);
  SEG_RETURN_IF_ERROR(reader.Integer("top_categories", options.top_categories, 0, 50));
  SEG_RETURN_IF_ERROR(reader.Integer("top_channels", options.top_channels, 0, 50));
  SEG_RETURN_IF_ERROR(reader.Integer("new_days", options.new_days, 1, 3650));
  SEG_RETURN_IF_ERROR(reader.Integer("active_days", options.active_days, 1, 3650));
  SEG_RETURN_IF_ERROR(reader.Integer("lapsed_days", options.lapsed_days, 1, 3650));
  SEG_RETURN_IF_ERROR(
      reader.Integer("support_pending_days", options.support_pending_days, 1, 3650));
  if (options.lapsed_days < options.active_days) {
    return reader.Error(
        table->get("lapsed_days"), "lapsed_days",
        "must be at least active_days (" + std::to_string(options.active_days) + ")");
  }
  std::vector<std::string> holidays;
  bool has_holidays = table->get("holidays") != nullptr;
  SEG_RETURN_IF_ERROR(reader.StringList("holidays", holidays));
  if (has_holidays) options.holidays.clear();
  for (const std::string& text : holidays) {
    HolidayWindow window;
    if (!ParseHoliday(text, window)) {
      return reader.Error(table->get("holidays"), "holidays",
                          "'" + text +
                              "' is not a window; write \"MM-DD..MM-DD\", e.g. "
                              "\"11-15..12-31\"");
    }
    options.holidays.push_back(window);
  }
  return reader.CheckNoUnknownKeys();
}

Status ParseWorkspace(const toml::table& root, const std::filesystem::path& file,
                      Project& project) {
  project.workspace = project.root / ".segmenta";
  const toml::node* node = root.get("workspace");
  if (!node) return Status::Ok();
  TableReader top(root, "", file);
  const auto* table = node->as_table();
  if (!table) return top.Error(node, "workspace", "expected a table: [workspace]");
  TableReader reader(*table, "workspace", file);
  std::string path, as_of;
  SEG_RETURN_IF_ERROR(reader.String("path", path));
  if (!path.empty()) {
    project.workspace = path;
    if (project.workspace.is_relative()) project.workspace = project.root / project.workspace;
  }
  SEG_RETURN_IF_ERROR(reader.String("as_of", as_of));
  SEG_RETURN_IF_ERROR(reader.String("memory_limit", project.engine.memory_limit));
  if (!ValidMemorySize(project.engine.memory_limit)) {
    return reader.Error(table->get("memory_limit"), "memory_limit",
                        "'" + project.engine.memory_limit +
                            "' is not a size; write e.g. \"2GB\" "
                            "or \"512MB\"");
  }
  SEG_RETURN_IF_ERROR(reader.Integer("threads", project.engine.threads, 0, 1024));
  if (!as_of.empty()) {
    if (!ValidIsoDate(as_of)) {
      return reader.Error(table->get("as_of"), "as_of",
                          "'" + as_of + "' is not a date; write \"YYYY-MM-DD\"");
    }
    project.features.as_of = as_of;
  }
  return reader.CheckNoUnknownKeys();
}

Status ParsePrivacy(const toml::table& root, const std::filesystem::path& file, Project& project) {
  const toml::node* node = root.get("privacy");
  if (!node) return Status::Ok();
  TableReader top(root, "", file);
  const auto* table = node->as_table();
  if (!table) return top.Error(node, "privacy", "expected a table: [privacy]");
  TableReader reader(*table, "privacy", file);
  SEG_RETURN_IF_ERROR(reader.Integer("min_group_size", project.min_group_size, 1, 1000000));
  return reader.CheckNoUnknownKeys();
}

Status CheckTopLevelKeys(const toml::table& root, const std::filesystem::path& file) {
  TableReader reader(root, "", file);
  for (const char* key :
       {"workspace", "sources", "segmentation", "features", "value", "privacy", "webhook",
        "export", "kpis"}) {
    reader.Node(key);
  }
  return reader.CheckNoUnknownKeys();
}

}  // namespace

std::string_view ToString(AttributeRole role) { return NameOf(kRoles, role); }
std::string_view ToString(AttributeType type) { return NameOf(kTypes, type); }

Result<Project> ParseProject(std::string_view text, const std::filesystem::path& file) {
  toml::table root;
  try {
    root = toml::parse(text, file.string());
  } catch (const toml::parse_error& error) {
    return Status::InvalidArgument(file.string() + ":" + std::to_string(error.source().begin.line) +
                                   ": " + std::string(error.description()));
  }
  Project project;
  project.file = file;
  project.root = file.parent_path();
  SEG_RETURN_IF_ERROR(CheckTopLevelKeys(root, file));
  SEG_RETURN_IF_ERROR(ParseWorkspace(root, file, project));
  SEG_RETURN_IF_ERROR(ParseSources(root, file, project));
  SEG_RETURN_IF_ERROR(project_internal::ParseSegmentations(root, file, project));
  SEG_RETURN_IF_ERROR(ParseFeatures(root, file, project.features));
  SEG_RETURN_IF_ERROR(project_internal::ParseValue(root, file, project.value));
  SEG_RETURN_IF_ERROR(ParsePrivacy(root, file, project));
  SEG_RETURN_IF_ERROR(project_internal::ParseActivation(root, file, project));
  return project;
}

Result<Project> LoadProject(const std::filesystem::path& path) {
  std::filesystem::path file = path;
  if (std::filesystem::is_directory(file) || file.extension() != ".toml") file /= "segmenta.toml";
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Status::InvalidArgument("cannot read " + file.string() +
                                   ": no project file here; create one with `segmenta init DIR` "
                                   "or pick a project with -C DIR");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseProject(buffer.str(), std::filesystem::absolute(file).lexically_normal());
}

}  // namespace segmenta

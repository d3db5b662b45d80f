// Feature SQL generation, build and export. The meaning of every feature lives in
// definitions.cc; this file renders those templates through the engine's Dialect
// (renderer.cc) and assembles them into one CREATE TABLE statement:
//
//   CREATE OR REPLACE TABLE features AS
//   WITH money_pass AS (SELECT customer_id, <aggregates> FROM <events> WHERE <its events>
//                       GROUP BY customer_id),
//        activity_pass AS (…), <Sources()>
//   SELECT customer_id, CAST(<Features()> AS <type>) …
//   FROM (SELECT customer_id FROM customers) LEFT JOIN <each pass and source> USING (customer_id)
//   ORDER BY customer_id
//
// Before it, one small query lists the categories and channels by purchase revenue: the
// share columns repeat over the top ones, and preferred_channel compares all channels'
// revenue inline when there are at most kMaxInlineChannels of them.
#include "segmenta/features.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>
#include <system_error>

#include "engine/dialect.h"
#include "features/as_of.h"
#include "features/definitions.h"
#include "features/renderer.h"
#include "store/database.h"

namespace segmenta {
namespace {

namespace fs = std::filesystem;
using features::Binding;
using features::Renderer;
using features::Repeat;

constexpr int kMaxTopValues = 100;
// Up to this many channels, preferred_channel compares their revenue (summed in the money
// pass anyway) inline; beyond it, a grouping by channel does (SourceUse::kManyChannels).
constexpr size_t kMaxInlineChannels = 12;

// Values that repeated rows expand over, by purchase revenue (largest first, ties by value),
// with their column-name suffixes (sanitised and unique).
struct ValueList {
  std::vector<std::string> values;
  std::vector<std::string> suffixes;
};

struct ValueLists {
  ValueList categories;     // the top categories
  ValueList channels;       // all channels, or only the top ones when there are many
  size_t top_channels = 0;  // how many of `channels` get a share column
  bool many_channels = false;

  // The values a row repeats over, or nullptr for a row that does not repeat.
  const ValueList* For(Repeat repeat, size_t& count) const {
    if (repeat == Repeat::kOnce) return nullptr;
    const ValueList* list = repeat == Repeat::kPerTopCategory ? &categories : &channels;
    count = repeat == Repeat::kPerTopChannel ? top_channels : list->values.size();
    return list;
  }
};

// ------------------------------------------------------------------ options

bool IsIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (size_t pos : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(text[pos]))) return false;
  }
  return true;
}

bool IsMonthDay(int month, int day) {
  static constexpr int kDaysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month >= 1 && month <= 12 && day >= 1 && day <= kDaysInMonth[month - 1];
}

Status CheckRange(std::string_view name, int value, int max) {
  if (value >= 0 && value <= max) return Status::Ok();
  return Status::InvalidArgument("features: " + std::string(name) + " must be between 0 and " +
                                 std::to_string(max) + ", not " + std::to_string(value));
}

Status ValidateOptions(const FeatureOptions& options) {
  constexpr int kMaxDays = 100000;
  SEG_RETURN_IF_ERROR(CheckRange("top_categories", options.top_categories, kMaxTopValues));
  SEG_RETURN_IF_ERROR(CheckRange("top_channels", options.top_channels, kMaxTopValues));
  SEG_RETURN_IF_ERROR(CheckRange("new_days", options.new_days, kMaxDays));
  SEG_RETURN_IF_ERROR(CheckRange("active_days", options.active_days, kMaxDays));
  SEG_RETURN_IF_ERROR(CheckRange("lapsed_days", options.lapsed_days, kMaxDays));
  SEG_RETURN_IF_ERROR(CheckRange("support_pending_days", options.support_pending_days, kMaxDays));
  for (const HolidayWindow& window : options.holidays) {
    if (IsMonthDay(window.start_month, window.start_day) &&
        IsMonthDay(window.end_month, window.end_day)) {
      continue;
    }
    return Status::InvalidArgument(
        "features: holiday window " + std::to_string(window.start_month) + "-" +
        std::to_string(window.start_day) + ".." + std::to_string(window.end_month) + "-" +
        std::to_string(window.end_day) + " is not a valid month-day range");
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> ResolveAsOf(store::Connection& conn, const Dialect& sql,
                                const FeatureOptions& options) {
  if (!options.as_of) {
    std::string next_day = sql.ToDate(sql.AddDays("max(" + sql.QuoteIdentifier("ts") + ")", 1));
    SEG_ASSIGN_OR_RETURN(store::Rows rows, conn.Query("SELECT CAST(coalesce(" + next_day +
                                                      ", current_date) AS VARCHAR) FROM " +
                                                      sql.QuoteIdentifier("events")));
    return store::ToText(rows.rows.at(0).at(0));
  }
  const std::string& as_of = *options.as_of;
  Status invalid =
      Status::InvalidArgument("features: as_of must be a date YYYY-MM-DD, not '" + as_of + "'");
  if (!IsIsoDate(as_of)) return invalid;
  SEG_ASSIGN_OR_RETURN(
      int64_t valid,
      conn.QueryInt("SELECT CAST(" + sql.TryTimestamp("$1") + " IS NOT NULL AS INTEGER)", {as_of}));
  if (valid == 0) return invalid;
  return as_of;
}

namespace {

// ------------------------------------------------------------------ SQL pieces

// `month_day` (month * 100 + day) inside one inclusive window, which may wrap the year end.
std::string InWindow(const std::string& month_day, const HolidayWindow& window) {
  int start = window.start_month * 100 + window.start_day;
  int end = window.end_month * 100 + window.end_day;
  std::string from = std::to_string(start);
  std::string to = std::to_string(end);
  if (start <= end) return "(" + month_day + " BETWEEN " + from + " AND " + to + ")";
  return "(" + month_day + " >= " + from + " OR " + month_day + " <= " + to + ")";
}

// The date of `ts` inside any of the windows.
std::string HolidayCondition(const Dialect& sql, const std::vector<HolidayWindow>& windows) {
  if (windows.empty()) return "false";
  std::string ts = sql.QuoteIdentifier("ts");
  std::string month_day = "(" + sql.Month(ts) + " * 100 + " + sql.DayOfMonth(ts) + ")";
  std::string condition;
  for (const HolidayWindow& window : windows) {
    if (!condition.empty()) condition += " OR ";
    condition += InWindow(month_day, window);
  }
  return "(" + condition + ")";
}

// `(SELECT <EventColumns()> FROM events WHERE ts < as_of) AS event_rows`.
Result<std::string> EventRows(const Renderer& renderer, const std::string& as_of_literal) {
  std::string select;
  for (const features::EventColumn& column : features::EventColumns()) {
    SEG_ASSIGN_OR_RETURN(std::string sql, renderer.Render(column.sql));
    select += (select.empty() ? "" : ", ") + ("(" + sql + ") AS " + renderer.Id(column.name));
  }
  return "(SELECT " + select + " FROM " + renderer.Id("events") + " WHERE " + renderer.Id("ts") +
         " < " + as_of_literal + ") AS " + renderer.Id("event_rows");
}

Result<Renderer> MakeRenderer(const Dialect& sql, const std::string& as_of,
                              const FeatureOptions& options) {
  std::string as_of_literal = sql.DateLiteral(as_of);
  Renderer renderer(sql, as_of_literal);
  renderer.SetParam("as_of", as_of_literal);
  renderer.SetParam("new_days", std::to_string(options.new_days));
  renderer.SetParam("active_days", std::to_string(options.active_days));
  renderer.SetParam("lapsed_days", std::to_string(options.lapsed_days));
  renderer.SetParam("support_pending_days", std::to_string(options.support_pending_days));
  renderer.SetParam("discount",
                    sql.TryDouble(sql.JsonText(sql.QuoteIdentifier("props"), "discount")));
  renderer.SetParam("in_holiday", HolidayCondition(sql, options.holidays));
  SEG_ASSIGN_OR_RETURN(std::string events, EventRows(renderer, as_of_literal));
  renderer.SetParam("events", events);
  renderer.SetParam("purchases", "(SELECT * FROM " + events + " WHERE " +
                                     renderer.Id("is_purchase") + ") AS " +
                                     renderer.Id("purchases"));
  return renderer;
}

// Lower-case ASCII letters and digits; everything else becomes '_'.
std::string Sanitise(std::string_view value) {
  std::string out;
  for (char raw : value) {
    auto ch = static_cast<unsigned char>(raw);
    out += std::isalnum(ch) && ch < 128 ? static_cast<char>(std::tolower(ch)) : '_';
  }
  return out;
}

// Column suffixes for the values: sanitised, with _2, _3 … where two values collide.
std::vector<std::string> UniqueSuffixes(const std::vector<std::string>& values) {
  std::set<std::string> taken;
  std::vector<std::string> suffixes;
  for (const std::string& value : values) {
    std::string base = Sanitise(value);
    std::string suffix = base;
    for (int copy = 2; taken.count(suffix) > 0; ++copy) suffix = base + "_" + std::to_string(copy);
    taken.insert(suffix);
    suffixes.push_back(suffix);
  }
  return suffixes;
}

// coalesce(channel_revenue_<idx>, 0): a channel's purchase revenue from the money pass.
std::string Revenue(const Renderer& renderer, size_t channel_idx) {
  return "coalesce(" + renderer.Id("channel_revenue_" + std::to_string(channel_idx)) + ", 0)";
}

// Categories and channels by purchase revenue before as_of (ties by value): the top
// top_categories categories, and every channel (or the top top_channels when there are more
// than kMaxInlineChannels).
Result<ValueLists> QueryValueLists(store::Connection& conn, const Renderer& renderer,
                                   const FeatureOptions& options) {
  SEG_ASSIGN_OR_RETURN(
      std::string sql,
      renderer.Render("WITH {pairs} AS (SELECT {category}, {channel}, sum({amount}) AS {revenue} "
                      "FROM {:purchases} GROUP BY {category}, {channel}) "
                      "SELECT GROUPING({category}) AS {is_channel}, {category}, {channel} "
                      "FROM {pairs} GROUP BY GROUPING SETS (({category}), ({channel})) "
                      "ORDER BY 1, sum({revenue}) DESC, 2, 3"));
  SEG_ASSIGN_OR_RETURN(store::Rows rows, conn.Query(sql));
  ValueLists lists;
  for (const std::vector<store::Value>& row : rows.rows) {
    bool is_channel = store::ToDouble(row[0]) != 0;
    const store::Value& value = row[is_channel ? 2 : 1];
    if (store::IsNull(value)) continue;
    (is_channel ? lists.channels : lists.categories).values.push_back(store::ToText(value));
  }
  auto top_categories = static_cast<size_t>(options.top_categories);
  if (lists.categories.values.size() > top_categories)
    lists.categories.values.resize(top_categories);
  lists.top_channels =
      std::min(lists.channels.values.size(), static_cast<size_t>(options.top_channels));
  lists.many_channels = lists.channels.values.size() > kMaxInlineChannels;
  if (lists.many_channels) lists.channels.values.resize(lists.top_channels);
  lists.categories.suffixes = UniqueSuffixes(lists.categories.values);
  lists.channels.suffixes = UniqueSuffixes(lists.channels.values);
  return lists;
}

// preferred_channel: with few channels, the one whose channel_revenue_# is largest, tried
// in name order so ties go to the alphabetically first; with many, the grouping's column.
std::string PreferredChannel(const Renderer& renderer, const ValueLists& lists) {
  if (lists.many_channels) return renderer.Id("preferred_channel");
  const std::vector<std::string>& channels = lists.channels.values;
  if (channels.empty()) return "NULL";
  std::vector<size_t> by_name(channels.size());
  std::string largest;
  for (size_t channel_idx = 0; channel_idx < channels.size(); ++channel_idx) {
    by_name[channel_idx] = channel_idx;
    largest += (channel_idx ? ", " : "") + Revenue(renderer, channel_idx);
  }
  largest = "greatest(" + largest + ")";
  std::sort(by_name.begin(), by_name.end(),
            [&](size_t left, size_t right) { return channels[left] < channels[right]; });
  std::string sql = "CASE WHEN " + largest + " <= 0 THEN NULL";
  for (size_t channel_idx : by_name) {
    sql += " WHEN " + Revenue(renderer, channel_idx) + " = " + largest + " THEN " +
           renderer.sql().QuoteString(channels[channel_idx]);
  }
  return sql + " END";
}

// Calls `emit(binding, suffix)` once for a row that does not repeat, else once per value.
template <typename Row>
Status ForEachExpansion(const Row& row, const ValueLists& lists, const Dialect& sql,
                        const std::function<Status(const Binding&, std::string_view)>& emit) {
  size_t count = 0;
  const ValueList* list = lists.For(row.repeat, count);
  if (!list) return emit(Binding{}, "");
  for (size_t value_idx = 0; value_idx < count; ++value_idx) {
    Binding binding{static_cast<int>(value_idx), sql.QuoteString(list->values[value_idx])};
    SEG_RETURN_IF_ERROR(emit(binding, list->suffixes[value_idx]));
  }
  return Status::Ok();
}

// One aggregate of a pass: `AggregateIf(function, value, key, where) AS name`.
Result<std::string> AggregateColumn(const Renderer& renderer,
                                    const features::AggregateDefinition& row,
                                    const Binding& binding) {
  std::vector<std::string> args;
  for (std::string_view arg : {row.value, row.key}) {
    if (arg.empty()) continue;
    SEG_ASSIGN_OR_RETURN(std::string sql, renderer.Render(arg, binding));
    args.push_back(std::move(sql));
  }
  SEG_ASSIGN_OR_RETURN(std::string where, renderer.Render(row.where, binding));
  SEG_ASSIGN_OR_RETURN(std::string name,
                       renderer.Render("{" + std::string(row.name) + "}", binding));
  return renderer.sql().AggregateIf(row.function, args, "(" + where + ")") + " AS " + name;
}

// SELECT customer_id, <the pass's aggregates> FROM <events> WHERE <the pass's events>
// GROUP BY customer_id; empty when no aggregate belongs to the pass.
Result<std::string> PassSql(const Renderer& renderer, const ValueLists& lists,
                            const features::PassDefinition& pass) {
  std::string select;
  for (const features::AggregateDefinition& row : features::Aggregates()) {
    if (row.pass != pass.pass) continue;
    SEG_RETURN_IF_ERROR(ForEachExpansion(
        row, lists, renderer.sql(), [&](const Binding& binding, std::string_view) -> Status {
          SEG_ASSIGN_OR_RETURN(std::string column, AggregateColumn(renderer, row, binding));
          select += ",\n  " + column;
          return Status::Ok();
        }));
  }
  if (select.empty()) return std::string();
  // `select` is rendered SQL already (it may hold values with braces): not rendered again.
  SEG_ASSIGN_OR_RETURN(std::string tail,
                       renderer.Render("\nFROM {:events}\nWHERE " + std::string(pass.where) +
                                       "\nGROUP BY {customer_id}"));
  return "SELECT " + renderer.Id("customer_id") + select + tail;
}

std::string_view SqlType(FeatureType type) {
  switch (type) {
    case FeatureType::kInteger:
      return "BIGINT";
    case FeatureType::kNumber:
      return "DOUBLE";
    case FeatureType::kText:
      return "VARCHAR";
  }
  return "VARCHAR";
}

// The feature columns of the final SELECT; fills `columns` with their names.
Result<std::string> FeatureColumns(const Renderer& renderer, const ValueLists& lists,
                                   std::vector<std::string>& columns) {
  std::string select;
  for (const features::FeatureDefinition& row : features::Features()) {
    SEG_RETURN_IF_ERROR(ForEachExpansion(
        row, lists, renderer.sql(), [&](const Binding& binding, std::string_view suffix) -> Status {
          SEG_ASSIGN_OR_RETURN(std::string sql, renderer.Render(row.sql, binding));
          std::string name = std::string(row.name) + std::string(suffix);
          select += ",\n  CAST((" + sql + ") AS " + std::string(SqlType(row.type)) + ") AS " +
                    renderer.Id(name);
          columns.push_back(std::move(name));
          return Status::Ok();
        }));
  }
  return select;
}

// The per-customer sources: the passes, then Sources() in use. Adds `name AS (sql)` to
// `with` and a LEFT JOIN for each.
Status AddSources(const Renderer& renderer, const ValueLists& lists, std::string& with,
                  std::string& joins) {
  auto add = [&](std::string_view name, const std::string& sql) {
    with += std::string(with.empty() ? "" : ",\n") + renderer.Id(name) + " AS (" + sql + ")";
    joins += "\nLEFT JOIN " + renderer.Id(name) + " USING (" + renderer.Id("customer_id") + ")";
  };
  for (const features::PassDefinition& pass : features::Passes()) {
    SEG_ASSIGN_OR_RETURN(std::string sql, PassSql(renderer, lists, pass));
    if (!sql.empty()) add(pass.name, sql);
  }
  for (const features::SourceDefinition& source : features::Sources()) {
    if (source.use == features::SourceUse::kManyChannels && !lists.many_channels) continue;
    SEG_ASSIGN_OR_RETURN(std::string sql, renderer.Render(source.sql));
    add(source.name, sql);
  }
  return Status::Ok();
}

// The whole CREATE OR REPLACE TABLE features AS … statement; fills `columns`.
Result<std::string> FeatureSql(const Renderer& renderer, const ValueLists& lists,
                               std::vector<std::string>& columns) {
  std::string with;
  std::string joins;
  SEG_RETURN_IF_ERROR(AddSources(renderer, lists, with, joins));
  columns = {"customer_id"};
  SEG_ASSIGN_OR_RETURN(std::string select, FeatureColumns(renderer, lists, columns));
  SEG_ASSIGN_OR_RETURN(std::string from,
                       renderer.Render("FROM (SELECT {customer_id} FROM {customers}) AS "
                                       "{all_customers}"));
  return "CREATE OR REPLACE TABLE " + renderer.Id("features") + " AS\nWITH " + with + "\nSELECT " +
         renderer.Id("customer_id") + select + "\n" + from + joins + "\nORDER BY " +
         renderer.Id("customer_id");
}

// ------------------------------------------------------------------ export

Result<std::string> CopyFormat(const fs::path& file) {
  std::string extension = file.extension().string();
  for (char& ch : extension) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (extension == ".csv") return std::string("FORMAT csv, HEADER true");
  if (extension == ".parquet") return std::string("FORMAT parquet");
  return Status::InvalidArgument("cannot write features to " + file.string() + ": extension '" +
                                 file.extension().string() + "' is not one of .csv, .parquet");
}

}  // namespace

std::string_view FeatureTypeName(FeatureType type) {
  switch (type) {
    case FeatureType::kInteger:
      return "integer";
    case FeatureType::kNumber:
      return "number";
    case FeatureType::kText:
      return "text";
  }
  return "text";
}

Result<FeatureTable> BuildFeatures(Workspace& workspace, const FeatureOptions& options,
                                   const std::function<void(double)>& progress) {
  SEG_RETURN_IF_ERROR(ValidateOptions(options));
  const Dialect& sql = DuckDbDialect();
  store::Connection& conn = workspace.connection();
  FeatureTable table;
  SEG_ASSIGN_OR_RETURN(table.as_of, ResolveAsOf(conn, sql, options));
  SEG_ASSIGN_OR_RETURN(Renderer renderer, MakeRenderer(sql, table.as_of, options));
  SEG_ASSIGN_OR_RETURN(ValueLists lists, QueryValueLists(conn, renderer, options));
  renderer.SetParam("preferred_channel", PreferredChannel(renderer, lists));
  SEG_ASSIGN_OR_RETURN(std::string statement, FeatureSql(renderer, lists, table.columns));
  // DuckDB's own estimate for this statement stalls at a few percent until the end, so
  // progress only says that the work goes on.
  // After `segmenta run`, `features` is a view of the snapshot's own table; the new
  // table takes its place.
  SEG_ASSIGN_OR_RETURN(int64_t view,
                       conn.QueryInt("SELECT count(*) FROM information_schema.tables WHERE "
                                     "table_name = 'features' AND table_type = 'VIEW'"));
  if (view > 0) SEG_RETURN_IF_ERROR(conn.Execute("DROP VIEW " + sql.QuoteIdentifier("features")));
  auto run = [&] { return conn.Execute(statement); };
  Status built = progress ? store::RunWatched(run, [&] { progress(-1); }) : run();
  SEG_RETURN_IF_ERROR(built.WithContext("building features"));
  SEG_ASSIGN_OR_RETURN(table.customers,
                       conn.QueryInt("SELECT count(*) FROM " + sql.QuoteIdentifier("features")));
  return table;
}

Status WriteFeatures(Workspace& workspace, const fs::path& file) {
  SEG_ASSIGN_OR_RETURN(std::string format, CopyFormat(file));
  const Dialect& sql = DuckDbDialect();
  fs::path temp = file.parent_path() / ("." + file.filename().string() + ".tmp");
  Status status =
      workspace.connection().Execute("COPY (SELECT * FROM " + sql.QuoteIdentifier("features") +
                                     " ORDER BY " + sql.QuoteIdentifier("customer_id") + ") TO " +
                                     sql.QuoteString(temp.string()) + " (" + format + ")");
  if (status.ok()) {
    std::error_code error;
    fs::rename(temp, file, error);
    if (!error) return Status::Ok();
    status = Status::IoError("cannot rename " + temp.string() + " to " + file.string() + ": " +
                             error.message());
  }
  std::error_code ignored;
  fs::remove(temp, ignored);
  return status.WithContext("writing features to " + file.string());
}

std::vector<FeatureInfo> ListFeatures() {
  std::vector<FeatureInfo> infos;
  for (const features::FeatureDefinition& row : features::Features()) {
    std::string name(row.name);
    if (row.repeat == Repeat::kPerTopCategory) name += "<category>";
    if (row.repeat == Repeat::kPerTopChannel) name += "<channel>";
    infos.push_back({std::move(name), row.type, std::string(row.description)});
  }
  return infos;
}

}  // namespace segmenta

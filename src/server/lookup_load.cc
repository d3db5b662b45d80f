// Loading the customer lookup index (lookup.h): LoadLookupData reads the latest
// snapshot (Build runs it in one transaction): a temporary table numbers the customers
// in id order, and every other query returns that row number beside its values. Each
// column goes into the records being built (lookup_storage.h), coded when its values
// repeat; then the features, the memberships, and each model's inputs to its
// explanation (rule clauses, cluster columns).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/dialect.h"
#include "segment/cluster_segmenter.h"
#include "segment/explain.h"
#include "segment/history.h"
#include "server/lookup_data.h"
#include "server/lookup_storage.h"
#include "store/database.h"

namespace segmenta::server {
namespace {

using namespace lookup_internal;
using nlohmann::json;
using Data = LookupData;

// The customers of the snapshot numbered in id order, for the duration of Build.
constexpr const char* kRowsTable = "__lookup_rows";
// Feature columns read per query: bounds the transient copy of a 1M-row result.
constexpr size_t kBatchColumns = 8;
// Integers below 2^53 survive the trip through DOUBLE exactly.
constexpr double kExactIntegers = 9007199254740992.0;

// What Build's steps share: the connection and the snapshot's features table.
struct Loader {
  Loader(const Project& project, store::Connection& conn, int64_t snapshot_id)
      : project(project),
        conn(conn),
        features_table(sql.QuoteIdentifier(segment::FeaturesTableOf(snapshot_id))) {}

  // Once the customers are numbered.
  void SetRows(size_t count) {
    rows = count;
    records = RecordsBuilder(count);
  }

  const Project& project;
  store::Connection& conn;
  const Dialect& sql = DuckDbDialect();
  std::string features_table;  // quoted
  size_t rows = 0;             // customers, numbered 0 … rows − 1 in kRowsTable
  RecordsBuilder records{0};

  std::string Rows() const { return kRowsTable; }
  std::string Id() const { return sql.QuoteIdentifier("customer_id"); }

  // Runs `select` (its first column the row number, as DOUBLE) and checks the rows.
  Result<std::vector<store::ColumnData>> Query(const std::string& select,
                                               const std::vector<store::Value>& params = {}) {
    SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnData> columns, conn.QueryColumns(select, params));
    for (double row : columns[0].numbers) {
      if (!(row >= 0 && row < static_cast<double>(rows))) {
        return Status::Internal("lookup index: a row number out of range");
      }
    }
    return columns;
  }
};

// The customer ids in row order, numbered in kRowsTable.
Result<std::vector<std::string>> NumberCustomers(Loader& loader) {
  SEG_RETURN_IF_ERROR(loader.conn.Execute(
      "CREATE OR REPLACE TEMP TABLE " + loader.Rows() + " AS SELECT CAST(" + loader.Id() +
      " AS VARCHAR) AS " + loader.Id() + ", row_number() OVER (ORDER BY " + loader.Id() +
      ") - 1 AS row FROM " + loader.features_table));
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnData> ids,
                       loader.conn.QueryColumns("SELECT " + loader.Id() + " FROM " + loader.Rows() +
                                                " ORDER BY row"));
  loader.SetRows(ids[0].texts.size());
  return std::move(ids[0].texts);
}

// ------------------------------------------------------------------ features

Kind KindOf(const std::string& type) {
  if (type == "BOOLEAN") return Kind::kBoolean;
  for (const char* name :
       {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}) {
    if (type == name) return Kind::kInteger;
  }
  for (const char* name : {"FLOAT", "DOUBLE", "HUGEINT", "UBIGINT"}) {
    if (type == name) return Kind::kReal;
  }
  return type.starts_with("DECIMAL") ? Kind::kReal : Kind::kText;
}

// Numbers are read as DOUBLE (exact for the integers of features), the rest as the text
// DuckDB gives for them.
std::string ReadSql(const Loader& loader, const FeatureColumn& column) {
  std::string name = "f." + loader.sql.QuoteIdentifier(column.name);
  return "CAST(" + name + (column.kind == Kind::kText ? " AS VARCHAR)" : " AS DOUBLE)");
}

// Rows where a DOUBLE column holds NaN itself (QueryColumns reads NULL as NaN too).
Result<std::vector<bool>> StoredNans(Loader& loader, const FeatureColumn& column) {
  std::vector<bool> nan(loader.rows, false);
  SEG_ASSIGN_OR_RETURN(
      std::vector<store::ColumnData> rows,
      loader.Query("SELECT CAST(r.row AS DOUBLE) FROM " + loader.features_table + " f JOIN " +
                   loader.Rows() + " r ON r." + loader.Id() + " = f." + loader.Id() +
                   " WHERE isnan(f." + loader.sql.QuoteIdentifier(column.name) + ")"));
  for (double row : rows[0].numbers) nan[static_cast<size_t>(row)] = true;
  return nan;
}

// Marks NULLs with kNullBits; false when an integer column does not fit a DOUBLE.
Result<bool> MarkNulls(Loader& loader, const FeatureColumn& column, std::vector<double>& values) {
  bool any_nan = false, exact = true;
  for (double value : values) {
    any_nan = any_nan || std::isnan(value);
    exact = exact && !(std::fabs(value) >= kExactIntegers);
  }
  if (column.kind == Kind::kInteger && !exact) return false;
  if (!any_nan) return true;
  std::vector<bool> stored(loader.rows, false);
  if (column.kind == Kind::kReal) {
    SEG_ASSIGN_OR_RETURN(stored, StoredNans(loader, column));
  }
  for (size_t row = 0; row < values.size(); ++row) {
    if (std::isnan(values[row]) && !stored[row]) values[row] = std::bit_cast<double>(kNullBits);
  }
  return true;
}

// Codes the shown numbers when they repeat enough, else keeps the numbers.
void StoreNumbers(Loader& loader, FeatureColumn& column, const std::vector<double>& values) {
  std::vector<size_t> firsts;  // a row of each distinct value, in code order
  std::optional<Coded> coded = Encode<uint64_t>(
      values.size(), CodeLimit(values.size()),
      [&](size_t row) { return std::bit_cast<uint64_t>(values[row]); },
      [&](size_t row) { firsts.push_back(row); });
  if (!coded) {
    column.field = loader.records.AddNumbers(values);
    return;
  }
  for (size_t row : firsts) column.shown.Add(Render(column.kind, values[row]));
  column.shown.Shrink();
  column.field = loader.records.AddCodes(coded->codes, coded->count);
}

// How ExplainCustomer shows each distinct value of a text column, by the value's text
// as CAST gives it: store::ToText of the value as the store reads it, which is not
// always the CAST (lists, for one, read as "").
Result<std::unordered_map<std::string, std::string>> ShownTexts(Loader& loader,
                                                                const FeatureColumn& column) {
  std::string name = loader.sql.QuoteIdentifier(column.name);
  SEG_ASSIGN_OR_RETURN(
      store::Rows distinct,
      loader.conn.Query("SELECT DISTINCT " + name + ", CAST(" + name + " AS VARCHAR) FROM " +
                        loader.features_table + " WHERE " + name + " IS NOT NULL"));
  std::unordered_map<std::string, std::string> shown;
  for (const auto& row : distinct.rows) {
    shown.emplace(store::ToText(row[1]), store::ToText(row[0]));
  }
  return shown;
}

// A text column from its CAST texts by row (NULL read as ""), coded.
Status StoreTexts(Loader& loader, FeatureColumn& column, const std::vector<std::string>& texts) {
  SEG_ASSIGN_OR_RETURN(auto shown, ShownTexts(loader, column));
  std::optional<Coded> coded = Encode<std::string_view>(
      texts.size(), std::numeric_limits<uint32_t>::max(),
      [&](size_t row) { return std::string_view(texts[row]); },
      [&](size_t row) {
        auto found = shown.find(texts[row]);
        column.shown.Add(found == shown.end() ? "" : std::string_view(found->second));
      });
  column.field = loader.records.AddCodes(coded->codes, coded->count);
  column.shown.Shrink();
  return Status::Ok();
}

// Reads `batch` (columns of the features table) and stores them in row order; an
// integer column too large for a DOUBLE is read again as text.
Status LoadFeatureBatch(Loader& loader, std::vector<FeatureColumn*> batch) {
  std::string select = "SELECT CAST(r.row AS DOUBLE)";
  for (const FeatureColumn* column : batch) select += ", " + ReadSql(loader, *column);
  SEG_ASSIGN_OR_RETURN(
      std::vector<store::ColumnData> data,
      loader.Query(select + " FROM " + loader.features_table + " f JOIN " + loader.Rows() +
                   " r ON r." + loader.Id() + " = f." + loader.Id()));
  const std::vector<double>& rows = data[0].numbers;
  for (size_t index = 0; index < batch.size(); ++index) {
    FeatureColumn& column = *batch[index];
    store::ColumnData& read = data[index + 1];
    if (column.kind == Kind::kText) {
      std::vector<std::string> texts(loader.rows);
      for (size_t at = 0; at < rows.size(); ++at) {
        texts[static_cast<size_t>(rows[at])].swap(read.texts[at]);
      }
      SEG_RETURN_IF_ERROR(StoreTexts(loader, column, texts));
      continue;
    }
    std::vector<double> values(loader.rows);
    for (size_t at = 0; at < rows.size(); ++at) {
      values[static_cast<size_t>(rows[at])] = read.numbers[at];
    }
    SEG_ASSIGN_OR_RETURN(bool fits, MarkNulls(loader, column, values));
    if (fits) {
      StoreNumbers(loader, column, values);
      continue;
    }
    column.kind = Kind::kText;
    SEG_RETURN_IF_ERROR(LoadFeatureBatch(loader, {&column}));
  }
  return Status::Ok();
}

// The features table's columns after the first (customer_id), as ExplainCustomer lists
// them.
Result<std::vector<FeatureColumn>> LoadFeatures(Loader& loader) {
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnInfo> info,
                       loader.conn.Columns(loader.features_table));
  std::vector<FeatureColumn> columns;
  for (size_t col = 1; col < info.size(); ++col) {
    columns.push_back({info[col].name, KindOf(info[col].type), {}, {}});
  }
  for (size_t start = 0; start < columns.size(); start += kBatchColumns) {
    std::vector<FeatureColumn*> batch;
    for (size_t col = start; col < std::min(columns.size(), start + kBatchColumns); ++col) {
      batch.push_back(&columns[col]);
    }
    SEG_RETURN_IF_ERROR(LoadFeatureBatch(loader, batch));
  }
  return columns;
}

// ------------------------------------------------------------------ memberships

// (row, code) pairs in any order → each row's codes, ascending, in CSR form.
void FillMembers(const std::vector<double>& row_of, const std::vector<double>& code_of, size_t rows,
                 Data& data) {
  data.member_offsets.assign(rows + 1, 0);
  for (double row : row_of) ++data.member_offsets[static_cast<size_t>(row) + 1];
  for (size_t row = 0; row < rows; ++row) {
    data.member_offsets[row + 1] += data.member_offsets[row];
  }
  std::vector<uint32_t> codes(row_of.size());
  std::vector<uint32_t> next(data.member_offsets.begin(), data.member_offsets.end() - 1);
  for (size_t at = 0; at < row_of.size(); ++at) {
    codes[next[static_cast<size_t>(row_of[at])]++] = static_cast<uint32_t>(code_of[at]);
  }
  for (size_t row = 0; row < rows; ++row) {
    std::sort(codes.begin() + data.member_offsets[row],
              codes.begin() + data.member_offsets[row + 1]);
  }
  data.members = PackedCodes(codes, data.pairs.empty() ? 0 : data.pairs.size() - 1);
}

// Each row's (segmentation, segment) codes in CSR form: codes number the snapshot's
// distinct pairs in (segmentation, segment) order, the order ExplainCustomer lists
// segments in, so a row's ascending codes list each segmentation's segments in order.
Status LoadMemberships(Loader& loader, Data& data) {
  std::string pairs =
      "SELECT DISTINCT segmentation, segment FROM memberships WHERE snapshot_id = $1";
  SEG_ASSIGN_OR_RETURN(store::Rows list,
                       loader.conn.Query(pairs + " ORDER BY 1, 2", {data.snapshot_id}));
  for (const auto& pair : list.rows) {
    data.pairs.emplace_back(store::ToText(pair[0]), store::ToText(pair[1]));
  }
  SEG_ASSIGN_OR_RETURN(
      std::vector<store::ColumnData> rows,
      loader.Query("SELECT CAST(r.row AS DOUBLE), CAST(k.code AS DOUBLE) FROM memberships m "
                   "JOIN " +
                       loader.Rows() + " r ON r." + loader.Id() + " = m." + loader.Id() +
                       " JOIN (SELECT segmentation, segment, row_number() OVER (ORDER BY "
                       "segmentation, segment) - 1 AS code FROM (" +
                       pairs +
                       ")) k ON k.segmentation = m.segmentation AND k.segment = m.segment "
                       "WHERE m.snapshot_id = $1",
                   {data.snapshot_id}));
  FillMembers(rows[0].numbers, rows[1].numbers, loader.rows, data);
  return Status::Ok();
}

// ------------------------------------------------------------------ rules

// One clause for every customer: a code by row into its outcomes (kNoRow for the
// customers the rule has no row for).
Result<ClauseColumn> LoadClause(Loader& loader, const segment::ExplainedRule& rule,
                                const rules::RuleClause& clause) {
  std::string id = loader.Id();
  SEG_ASSIGN_OR_RETURN(
      std::vector<store::ColumnData> data,
      loader.Query("SELECT CAST(r.row AS DOUBLE), CAST(q.value AS VARCHAR), CAST(q.holds AS "
                   "DOUBLE) FROM (" +
                       segment::ClauseSql(rule, clause) + ") q (" + id + ", value, holds) JOIN " +
                       loader.Rows() + " r ON r." + id + " = q." + id,
                   clause.params));
  std::vector<std::string> keys(loader.rows);  // "" no row, else holds + value
  for (size_t at = 0; at < data[0].numbers.size(); ++at) {
    std::string& key = keys[static_cast<size_t>(data[0].numbers[at])];
    key = (data[2].numbers[at] != 0 ? "1" : "0") + data[1].texts[at];
  }
  ClauseColumn column;
  std::optional<Coded> coded = Encode<std::string_view>(
      loader.rows, std::numeric_limits<uint32_t>::max(),
      [&](size_t row) { return std::string_view(keys[row]); },
      [&](size_t row) {
        const std::string& key = keys[row];
        column.outcomes.push_back(key.empty()     ? Outcome::kNoRow
                                  : key[0] == '1' ? Outcome::kHolds
                                                  : Outcome::kFails);
        column.values.Add(key.empty() ? "" : std::string_view(key).substr(1));
      });
  column.field = loader.records.AddCodes(coded->codes, coded->count);
  column.values.Shrink();
  return column;
}

Result<RulesModel> LoadRules(Loader& loader, const Data& data, const json& model,
                             const std::vector<std::pair<std::string, std::string>>& known) {
  RulesModel out;
  SEG_ASSIGN_OR_RETURN(out.rules, segment::CompileRules(loader.project, loader.conn, model,
                                                        data.snapshot_id, data.as_of, known));
  for (const segment::ExplainedRule& rule : out.rules) {
    out.heads.push_back(segment::RuleLineHead(rule));
    out.clauses.emplace_back();
    for (const rules::RuleClause& clause : rule.compiled.clauses) {
      SEG_ASSIGN_OR_RETURN(ClauseColumn column, LoadClause(loader, rule, clause));
      out.clauses.back().push_back(std::move(column));
    }
  }
  return out;
}

// ------------------------------------------------------------------ clusters

// A column of every row: `value(at)` for the loaded rows (`rows[at]`), 0 elsewhere.
template <typename ValueAt>
NumberColumn Scatter(Loader& loader, const std::vector<size_t>& rows, const ValueAt& value) {
  std::vector<double> values(loader.rows, 0.0);
  for (size_t at = 0; at < rows.size(); ++at) values[rows[at]] = value(at);
  return NumberColumn::From(loader.records, values);
}

// The model's columns by row, in the records being built.
Result<ClusterModel> LoadCluster(Loader& loader, const Data& data, const json& model) {
  SEG_ASSIGN_OR_RETURN(segment::ClusterExplainer explainer,
                       segment::ClusterExplainer::FromModel(model));
  SEG_ASSIGN_OR_RETURN(segment::Loaded loaded, explainer.Load(loader.conn, loader.features_table));
  std::vector<size_t> rows;
  rows.reserve(loaded.ids.size());
  std::vector<uint32_t> found(loader.rows, 0);
  for (const std::string& id : loaded.ids) {
    std::optional<size_t> row = data.ids.Find(id);
    if (!row) return Status::Internal("lookup index: a cluster row of an unknown customer");
    rows.push_back(*row);
    found[*row] = 1;
  }
  ClusterModel out{std::move(explainer), loader.records.AddCodes(found, 2), {}, {}, {}};
  if (rows.empty()) return out;
  SEG_ASSIGN_OR_RETURN(PreparedData prepared, out.explainer.preparation().Apply(loaded.columns));
  for (size_t col = 0; col < prepared.numeric.cols(); ++col) {
    out.prepared.push_back(
        Scatter(loader, rows, [&](size_t at) { return prepared.numeric(at, col); }));
  }
  for (const NumericColumn& column : loaded.columns.numeric) {
    out.numbers.push_back(Scatter(loader, rows, [&](size_t at) { return column.values[at]; }));
  }
  for (const CategoricalColumn& column : loaded.columns.categorical) {
    std::vector<std::string_view> values(loader.rows);
    for (size_t at = 0; at < rows.size(); ++at) values[rows[at]] = column.values[at];
    out.categories.push_back(TextColumn::From(loader.records, values));
  }
  return out;
}
// ------------------------------------------------------------------ models

// The codes [first, end) of `segmentation`'s pairs (contiguous: the pairs are sorted).
void PairRange(const std::vector<std::pair<std::string, std::string>>& pairs,
               const std::string& segmentation, Model& model) {
  auto first = std::find_if(pairs.begin(), pairs.end(),
                            [&](const auto& pair) { return pair.first == segmentation; });
  auto end = std::find_if(first, pairs.end(),
                          [&](const auto& pair) { return pair.first != segmentation; });
  model.first_pair = static_cast<uint32_t>(first - pairs.begin());
  model.end_pair = static_cast<uint32_t>(end - pairs.begin());
}

Status LoadModels(Loader& loader, Data& data) {
  SEG_ASSIGN_OR_RETURN(std::vector<segment::StoredModel> stored,
                       segment::LoadModels(loader.conn, data.snapshot_id));
  std::vector<std::pair<std::string, std::string>> known = segment::KnownSegments(stored);
  for (segment::StoredModel& entry : stored) {
    Model model;
    model.segmentation = entry.segmentation;
    model.method = entry.model.value("method", "");
    PairRange(data.pairs, model.segmentation, model);
    if (entry.model.contains("clusters")) {
      SEG_ASSIGN_OR_RETURN(ClusterModel cluster, LoadCluster(loader, data, entry.model));
      model.cluster = data.clusters.size();
      data.clusters.push_back(std::move(cluster));
    }
    if (model.method == "rules") {
      SEG_ASSIGN_OR_RETURN(RulesModel rules, LoadRules(loader, data, entry.model, known));
      model.rules = data.rules.size();
      data.rules.push_back(std::move(rules));
    }
    model.model = std::move(entry.model);
    data.models.push_back(std::move(model));
  }
  return Status::Ok();
}

// The explainer's only failure (stored centroids that do not match the preparation) is
// the model's, not a customer's: tried on one customer here so that lookups cannot fail.
Status CheckClusters(const Data& data) {
  for (const Model& model : data.models) {
    if (!model.cluster) continue;
    const ClusterModel& cluster = data.clusters[*model.cluster];
    for (size_t row = 0; row < data.ids.size(); ++row) {
      if (Records::Code(data.records[row], cluster.loaded) == 0) continue;
      Explanation scratch;
      scratch.segmentation = model.segmentation;
      SEG_RETURN_IF_ERROR(ExplainClusterRow(cluster, data.records[row], scratch));
      break;
    }
  }
  return Status::Ok();
}

}  // namespace

Status LoadLookupData(const Project& project, Workspace& workspace, Data& data) {
  SEG_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> snapshots, ListSnapshots(workspace));
  if (snapshots.empty()) return Status::NotFound("no snapshot yet: run `segmenta run` first");
  data.snapshot_id = snapshots.back().snapshot_id;
  data.as_of = snapshots.back().as_of;
  Loader loader(project, workspace.connection(), data.snapshot_id);
  SEG_ASSIGN_OR_RETURN(std::vector<std::string> ids, NumberCustomers(loader));
  data.ids = IdIndex(ids);
  ids = {};
  SEG_ASSIGN_OR_RETURN(data.features, LoadFeatures(loader));
  SEG_RETURN_IF_ERROR(LoadMemberships(loader, data));
  SEG_RETURN_IF_ERROR(LoadModels(loader, data));
  data.records = loader.records.Finish();
  SEG_RETURN_IF_ERROR(CheckClusters(data));
  return loader.conn.Execute(std::string("DROP TABLE ") + kRowsTable);
}

}  // namespace segmenta::server

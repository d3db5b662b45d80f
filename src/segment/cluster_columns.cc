// Reading the columns a cluster segmentation names (see cluster_columns.h).
#include "segment/cluster_columns.h"

#include <map>
#include <set>

namespace segmenta::segment {

namespace {

bool IsNumericType(const std::string& type) {
  for (const char* prefix : {"DOUBLE", "FLOAT", "BIGINT", "INTEGER", "HUGEINT", "SMALLINT",
                             "TINYINT", "DECIMAL", "UBIGINT", "UINTEGER", "USMALLINT"}) {
    if (type.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace

Result<ColumnRefs> ResolveColumns(SegmentContext& context, const SegmentationConfig& config) {
  const Dialect& sql = context.sql;
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnInfo> features,
                       context.conn.Columns(context.features_table));
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnInfo> customers, context.conn.Columns("customers"));
  std::set<std::string> personal = ContactAttributes(*context.project);
  std::map<std::string, std::pair<std::string, bool>> known;  // name → (type, customers)
  for (const auto& column : customers) {
    if (column.name == "customer_id" || column.name.starts_with("_") || personal.count(column.name))
      continue;
    known[column.name] = {column.type, true};
  }
  for (const auto& column : features) {
    if (column.name != "customer_id") known[column.name] = {column.type, false};
  }
  std::vector<std::string> names;
  names.reserve(known.size());
  for (const auto& [name, info] : known) names.push_back(name);
  auto resolve = [&](const std::string& name, bool numeric) -> Result<ColumnRef> {
    auto found = known.find(name);
    if (found == known.end()) {
      std::string hint = ClosestMatch(name, names);
      return Status::InvalidArgument(
          "segmentation '" + config.name + "': " +
          (personal.count(name)
               ? "'" + name + "' is personal contact data and is never clustered on"
               : "no feature or attribute '" + name + "'" +
                     (hint.empty() ? "" : "; did you mean '" + hint + "'?")));
    }
    if (numeric && !IsNumericType(found->second.first)) {
      return Status::InvalidArgument("segmentation '" + config.name + "': '" + name + "' is " +
                                     found->second.first +
                                     ", not a number; list it under "
                                     "categories");
    }
    bool customer = found->second.second;
    return ColumnRef{name, std::string(customer ? "c." : "f.") + sql.QuoteIdentifier(name),
                     customer};
  };
  std::set<std::string> seen;
  for (const auto* list : {&config.features, &config.categories}) {
    for (const std::string& name : *list) {
      if (!seen.insert(name).second) {
        return Status::InvalidArgument("segmentation '" + config.name + "': '" + name +
                                       "' is listed twice in features and categories");
      }
    }
  }
  ColumnRefs refs;
  for (const std::string& name : config.features) {
    SEG_ASSIGN_OR_RETURN(ColumnRef ref, resolve(name, true));
    refs.reads_customers = refs.reads_customers || ref.from_customers;
    refs.numeric.push_back(std::move(ref));
  }
  for (const std::string& name : config.categories) {
    SEG_ASSIGN_OR_RETURN(ColumnRef ref, resolve(name, false));
    refs.reads_customers = refs.reads_customers || ref.from_customers;
    refs.categorical.push_back(std::move(ref));
  }
  return refs;
}

Result<Loaded> LoadColumns(SegmentContext& context, const ColumnRefs& refs,
                           const std::string& customer_id) {
  const Dialect& sql = context.sql;
  std::string id = sql.QuoteIdentifier("customer_id");
  std::string select = "SELECT CAST(f." + id + " AS VARCHAR)";
  for (const ColumnRef& ref : refs.numeric) select += ", CAST(" + ref.sql + " AS DOUBLE)";
  for (const ColumnRef& ref : refs.categorical) select += ", CAST(" + ref.sql + " AS VARCHAR)";
  select += " FROM " + context.features_table + " f";
  if (refs.reads_customers) select += " JOIN customers c ON c." + id + " = f." + id;
  std::vector<store::Value> params;
  if (!customer_id.empty()) {
    select += " WHERE f." + id + " = $1";
    params.push_back(customer_id);
  }
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnData> data,
                       context.conn.QueryColumns(select + " ORDER BY 1", params));
  Loaded loaded;
  loaded.ids = std::move(data[0].texts);
  for (size_t index = 0; index < refs.numeric.size(); ++index) {
    loaded.columns.numeric.push_back(
        {refs.numeric[index].name, std::move(data[1 + index].numbers)});
  }
  for (size_t index = 0; index < refs.categorical.size(); ++index) {
    store::ColumnData& column = data[1 + refs.numeric.size() + index];
    loaded.columns.categorical.push_back(
        {refs.categorical[index].name, std::move(column.texts), std::move(column.missing)});
  }
  return loaded;
}

}  // namespace segmenta::segment

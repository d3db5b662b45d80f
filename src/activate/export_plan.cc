#include "activate/export_plan.h"

#include <algorithm>
#include <optional>

#include "activate/pii.h"
#include "engine/dialect.h"
#include "segment/history.h"

namespace segmenta::activate {
namespace {

bool Has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

Status NotFound(const std::string& what, const std::string& name,
                const std::vector<std::string>& names, const std::string& where) {
  std::string hint = ClosestMatch(name, names);
  std::string message = "no " + what + " '" + name + "'" + (where.empty() ? "" : " " + where);
  if (names.empty()) return Status::NotFound(message + "; there is none yet");
  return Status::NotFound(message + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
}

std::vector<std::string> Texts(const store::Rows& rows, size_t column = 0) {
  std::vector<std::string> texts;
  for (const auto& row : rows.rows) texts.push_back(store::ToText(row[column]));
  return texts;
}

Result<AudienceSql> SegmentAudience(store::Connection& conn, const Audience& audience,
                                    int64_t snapshot_id) {
  if (snapshot_id == 0) return Status::NotFound("no snapshot yet: run `segmenta run` first");
  SEG_ASSIGN_OR_RETURN(auto segmentations, segment::SnapshotSegmentations(conn, snapshot_id));
  std::vector<std::string> names;
  for (const auto& [name, segments] : segmentations) {
    if (name != audience.segmentation) {
      names.push_back(name);
      continue;
    }
    if (!Has(segments, audience.segment)) {
      return NotFound("segment", audience.segment, segments, "in '" + name + "'");
    }
    return AudienceSql{
        "(SELECT customer_id, segmentation, segment, score FROM memberships WHERE snapshot_id "
        "= " +
            std::to_string(snapshot_id) + " AND segmentation = $1 AND segment = $2)",
        {audience.segmentation, audience.segment},
        {"segmentation", "segment", "score"},
        audience.segmentation + "/" + audience.segment};
  }
  return NotFound("segmentation", audience.segmentation, names, "in the latest snapshot");
}

Result<AudienceSql> ExperimentAudience(store::Connection& conn, const Audience& audience) {
  SEG_ASSIGN_OR_RETURN(store::Rows assigned,
                       conn.Query("SELECT DISTINCT variant FROM experiment_assignments WHERE "
                                  "experiment_id = $1 ORDER BY variant",
                                  {audience.experiment}));
  if (assigned.rows.empty()) {
    SEG_ASSIGN_OR_RETURN(store::Rows known,
                         conn.Query("SELECT experiment_id FROM experiments UNION SELECT DISTINCT "
                                    "experiment_id FROM experiment_assignments ORDER BY 1"));
    std::vector<std::string> names = Texts(known);
    if (Has(names, audience.experiment)) {
      return Status::NotFound("experiment '" + audience.experiment +
                              "' has no assignment yet: nobody was assigned to its variants");
    }
    return NotFound("experiment", audience.experiment, names, "");
  }
  std::vector<std::string> variants = Texts(assigned);
  if (!Has(variants, audience.variant)) {
    return NotFound("variant", audience.variant, variants,
                    "in experiment '" + audience.experiment + "'");
  }
  return AudienceSql{
      "(SELECT customer_id, experiment_id AS experiment, variant FROM experiment_assignments "
      "WHERE experiment_id = $1 AND variant = $2)",
      {audience.experiment, audience.variant},
      {"experiment", "variant"},
      "experiment:" + audience.experiment + "/" + audience.variant};
}

// The declared customer attributes that the customers table holds, once each.
Result<std::vector<Attribute>> StoredAttributes(const Project& project, store::Connection& conn) {
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnInfo> columns, conn.Columns("customers"));
  std::vector<std::string> stored;
  stored.reserve(columns.size());
  for (const store::ColumnInfo& column : columns) stored.push_back(column.name);
  std::vector<Attribute> attributes;
  std::vector<std::string> seen;
  for (const SourceConfig& source : project.sources) {
    for (const Attribute& attribute : source.attributes) {
      if (!Has(stored, attribute.name) || Has(seen, attribute.name)) continue;
      seen.push_back(attribute.name);
      attributes.push_back(attribute);
    }
  }
  return attributes;
}

class Planner {
 public:
  Planner(const Project& project, const ExportRequest& request)
      : project_(project), request_(request) {}

  void AddAttribute(const Attribute& attribute) {
    const Dialect& sql = DuckDbDialect();
    std::string value = "c." + sql.QuoteIdentifier(attribute.name);
    if (attribute.role != AttributeRole::kContact) return Add(value, attribute.name);
    if (!request_.hash_pii) {
      plan_.plain_pii.push_back(attribute.name);
      return Add(value, attribute.name);
    }
    ContactKind kind = ClassifyContact(attribute.name);
    std::string text = TrimmedTextSql(value, attribute.type);
    const std::string& country = project_.exports.phone_country;
    Add(HashedContactSql(kind, text, country), attribute.name + "_sha256");
    plan_.hashed.push_back(attribute.name);
    if (kind == ContactKind::kPhone) {
      plan_.unreadable.push_back(UnreadableContactSql(kind, text, country));
    }
  }

  void AddFeature(const std::string& name) {
    plan_.reads_features = true;
    Add("f." + DuckDbDialect().QuoteIdentifier(name), name);
  }

  bool Written(const std::string& name) const { return Has(plan_.names, name); }
  ColumnPlan Take() { return std::move(plan_); }

 private:
  void Add(const std::string& expression, const std::string& name) {
    plan_.select.push_back(expression + " AS " + DuckDbDialect().QuoteIdentifier(name));
    plan_.names.push_back(name);
  }

  const Project& project_;
  const ExportRequest& request_;
  ColumnPlan plan_;
};

Result<std::vector<std::string>> FeatureNames(store::Connection& conn,
                                              const std::string& features_table) {
  std::vector<std::string> names;
  if (features_table.empty()) return names;
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnInfo> columns, conn.Columns(features_table));
  for (const store::ColumnInfo& column : columns) {
    if (column.name != "customer_id") names.push_back(column.name);
  }
  return names;
}

Status UnknownColumn(const std::string& name, const std::vector<Attribute>& attributes,
                     const std::vector<std::string>& features, bool has_snapshot) {
  std::vector<std::string> names = features;
  for (const Attribute& attribute : attributes) names.push_back(attribute.name);
  std::string hint = ClosestMatch(name, names);
  return Status::InvalidArgument(
      "unknown column '" + name + "': not a customer attribute" +
      (has_snapshot ? " or a feature of the latest snapshot"
                    : " (features come from the latest snapshot, and there is none yet)") +
      (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
}

}  // namespace

Result<AudienceSql> ResolveAudience(store::Connection& conn, const Audience& audience,
                                    int64_t snapshot_id) {
  bool segment = !audience.segmentation.empty() || !audience.segment.empty();
  bool experiment = !audience.experiment.empty() || !audience.variant.empty();
  if (segment == experiment) {
    return Status::InvalidArgument(
        "name one audience: a segment (segmentation and segment) or an experiment's variant "
        "(experiment and variant)");
  }
  if (segment && (audience.segmentation.empty() || audience.segment.empty())) {
    return Status::InvalidArgument(
        "a segment audience needs both the segmentation and the segment");
  }
  if (experiment && (audience.experiment.empty() || audience.variant.empty())) {
    return Status::InvalidArgument(
        "an experiment audience needs both the experiment and the variant");
  }
  return segment ? SegmentAudience(conn, audience, snapshot_id)
                 : ExperimentAudience(conn, audience);
}

Result<ColumnPlan> PlanColumns(const Project& project, store::Connection& conn,
                               const ExportRequest& request, const std::string& features_table) {
  SEG_ASSIGN_OR_RETURN(std::vector<Attribute> attributes, StoredAttributes(project, conn));
  Planner planner(project, request);
  if (request.columns.empty() && request.hash_pii) {
    for (const Attribute& attribute : attributes) {
      if (attribute.role == AttributeRole::kContact) planner.AddAttribute(attribute);
    }
    return planner.Take();
  }
  SEG_ASSIGN_OR_RETURN(std::vector<std::string> features, FeatureNames(conn, features_table));
  const std::vector<std::string> fixed = {"customer_id", "segmentation", "segment",
                                          "score",       "experiment",   "variant"};
  std::vector<std::string> done;
  for (const std::string& name : request.columns) {
    if (Has(fixed, name) || Has(done, name)) continue;  // written once
    done.push_back(name);
    auto attribute = std::find_if(attributes.begin(), attributes.end(),
                                  [&](const Attribute& a) { return a.name == name; });
    if (attribute != attributes.end()) {
      planner.AddAttribute(*attribute);
    } else if (Has(features, name)) {
      planner.AddFeature(name);
    } else {
      return UnknownColumn(name, attributes, features, !features_table.empty());
    }
  }
  return planner.Take();
}

Result<ConsentPlan> PlanConsent(const Project& project, store::Connection& conn,
                                bool include_no_consent) {
  SEG_ASSIGN_OR_RETURN(std::vector<Attribute> stored, StoredAttributes(project, conn));
  ConsentPlan plan{"true", false};
  for (const SourceConfig& source : project.sources) {
    for (const Attribute& attribute : source.attributes) {
      if (attribute.role != AttributeRole::kConsent) continue;
      plan.declared = true;
      if (std::none_of(stored.begin(), stored.end(),
                       [&](const Attribute& a) { return a.name == attribute.name; })) {
        return Status::InvalidArgument("the consent attribute '" + attribute.name +
                                       "' is not in the workspace yet: run `segmenta ingest`");
      }
      std::string value = "c." + DuckDbDialect().QuoteIdentifier(attribute.name);
      plan.consents += " AND " + ConsentSql(value, attribute.type);
    }
  }
  if (!plan.declared && !include_no_consent) {
    return Status::InvalidArgument(
        "no customer attribute has the role consent, so marketing consent cannot be checked: "
        "declare one in segmenta.toml (e.g. opt_in = \"consent:category\" in the customers "
        "source's attributes) and ingest, or pass --include-no-consent to export everyone");
  }
  plan.consents = "(" + plan.consents + ")";
  return plan;
}

}  // namespace segmenta::activate

// The one table of feature definitions: what each feature means and the SQL computing it.
//
// The feature SQL has three layers, each a list of rows whose SQL is a template:
//
//   1. EventColumns(): every event before as_of, with derived columns (age, is_purchase …);
//   2. per-customer sources: Aggregates() — one GROUP BY customer_id pass over those events
//      with conditional (FILTER) aggregates — plus the few Sources() that need their own
//      grouping (orders, gaps between purchase days, preferred channel);
//   3. Features(): one expression per feature column over the sources' columns, which are
//      LEFT JOINed to `customers`, so customers without events get a row too.
//
// Adding a feature is adding a row to Features(); if it needs a new per-customer number,
// also a row to Aggregates(). features.cc turns the rows into one CREATE TABLE statement.
//
// Template syntax (rendered by features.cc through the engine's Dialect):
//   {name}          an identifier, quoted by the dialect: a column of the layer below;
//   {name#}         in a repeated row, `#` becomes the row's index in its top-N list;
//   {:param}        a value or fragment the generator supplies: see kParams in features.cc
//                   (as_of, the journey thresholds, the holiday test, the event sources, the
//                   repeated row's value …);
//   {fn(a, b)}      a dialect helper over identifiers: arg_max, arg_min,
//                   arg_max_smallest_on_ties, days_to_as_of.
#ifndef SEGMENTA_FEATURES_DEFINITIONS_H_
#define SEGMENTA_FEATURES_DEFINITIONS_H_

#include <span>
#include <string_view>

#include "segmenta/features.h"

namespace segmenta::features {

// Rows that repeat once per value of a top-N list queried before the build.
enum class Repeat {
  kOnce,
  kPerTopCategory,  // the top_categories categories by purchase revenue
  kPerTopChannel,   // the top_channels channels by purchase revenue
};

// A derived column of the event rows (layer 1), over the columns of `events`.
struct EventColumn {
  std::string_view name;
  std::string_view sql;
};

// A per-customer aggregate of the single pass over the events (layer 2).
struct AggregateDefinition {
  std::string_view name;  // repeated rows: `#` becomes the index
  Repeat repeat;
  std::string_view sql;   // an aggregate over EventColumns()
};

// A per-customer source with its own grouping (layer 2): a SELECT with one row per
// customer_id, joined to the other sources on it. Its column names must be unique.
struct SourceDefinition {
  std::string_view name;
  std::string_view sql;
};

// One feature column (layer 3).
struct FeatureDefinition {
  std::string_view name;  // repeated rows: the prefix; the sanitised value is appended
  FeatureType type;
  Repeat repeat;
  std::string_view description;
  std::string_view sql;   // over the columns of Aggregates() and Sources()
};

std::span<const EventColumn> EventColumns();
std::span<const AggregateDefinition> Aggregates();
std::span<const SourceDefinition> Sources();
std::span<const FeatureDefinition> Features();

}  // namespace segmenta::features

#endif  // SEGMENTA_FEATURES_DEFINITIONS_H_

// The one table of feature definitions: what each feature means and the SQL computing it.
//
// The feature SQL has three layers, each a list of rows whose SQL is a template:
//
//   1. EventColumns(): every event before as_of, with derived columns (age, is_purchase …);
//   2. per-customer sources: Aggregates() — conditional aggregates computed in one GROUP BY
//      customer_id per pass over the events (Passes(): purchases and refunds, the rest) —
//      plus the few Sources() that need a grouping of their own (orders, purchase gaps);
//   3. Features(): one expression per feature column over the sources' columns, which are
//      LEFT JOINed to `customers`, so customers without events get a row too.
//
// Adding a feature is adding a row to Features(); if it needs a new per-customer number,
// also a row to Aggregates(). features.cc turns the rows into one CREATE TABLE statement.
//
// Template syntax (rendered by features.cc through the engine's Dialect):
//   {name}          an identifier, quoted by the dialect: a column of the layer below;
//   {name#}         in a repeated row, `#` becomes the row's index in its list;
//   {:param}        a fragment the generator supplies: as_of, new_days, active_days,
//                   lapsed_days, support_pending_days, discount, in_holiday, events,
//                   purchases, preferred_channel, and value (a repeated row's value);
//   {fn(a, b)}      a dialect helper over identifiers: arg_min, arg_max_smallest_on_ties,
//                   days_to_as_of.
#ifndef SEGMENTA_FEATURES_DEFINITIONS_H_
#define SEGMENTA_FEATURES_DEFINITIONS_H_

#include <span>
#include <string_view>

#include "segmenta/features.h"

namespace segmenta::features {

// Rows that repeat once per value of a list queried before the build.
enum class Repeat {
  kOnce,
  kPerTopCategory,  // the top_categories categories with the most purchase revenue
  kPerTopChannel,   // the top_channels channels with the most purchase revenue
  kPerChannel,      // every channel with purchase revenue (the top ones first); when there
                    // are more than features.cc allows inline, only the top_channels ones
};

// The GROUP BY customer_id passes over the events. Splitting them keeps each event from
// paying for aggregates that never count it.
enum class Pass {
  kMoney,     // purchases and refunds
  kActivity,  // everything else: visits, emails, support contacts, feedback …
};

// A pass: its name and which events it reads (a template over EventColumns()). Every
// aggregate of a pass must count only events the pass reads.
struct PassDefinition {
  Pass pass;
  std::string_view name;
  std::string_view where;
};

// A derived column of the event rows (layer 1), over the columns of `events`.
struct EventColumn {
  std::string_view name;
  std::string_view sql;
};

// A per-customer aggregate (layer 2): `function` of `value` (and `key`, for arg_max) over
// the events of `pass` where `where` holds. function: count (no value), sum, min, max,
// arg_max (value at the largest key).
struct AggregateDefinition {
  std::string_view name;  // repeated rows: `#` becomes the index
  Pass pass;
  Repeat repeat;
  std::string_view function;
  std::string_view value;
  std::string_view key;
  std::string_view where;
};

// When a source is part of the statement.
enum class SourceUse {
  kAlways,
  kManyChannels,  // only when there are too many channels to compare inline
};

// A per-customer source with its own grouping (layer 2): a SELECT with one row per
// customer_id, joined to the other sources on it. Its column names must be unique.
struct SourceDefinition {
  std::string_view name;
  SourceUse use;
  std::string_view sql;
};

// One feature column (layer 3).
struct FeatureDefinition {
  std::string_view name;  // repeated rows: the prefix; the sanitised value is appended
  FeatureType type;
  Repeat repeat;
  std::string_view description;
  std::string_view sql;  // over the columns of Aggregates() and Sources()
};

std::span<const EventColumn> EventColumns();
std::span<const PassDefinition> Passes();
std::span<const AggregateDefinition> Aggregates();
std::span<const SourceDefinition> Sources();
std::span<const FeatureDefinition> Features();

}  // namespace segmenta::features

#endif  // SEGMENTA_FEATURES_DEFINITIONS_H_

// Realistic bad rows for `--dirty` demos, each with exactly one defect.
//
// Bad rows are extra lines derived from a good line (or, for customers, from a spare
// synthetic customer), so the good data is the same with or without dirt: drop the
// manifest's lines (keeping `duplicate` ones) and the clean files remain.
//
//   std::string bad;
//   AppendEventDefect(bad, good_line, DirtyKind::kBrokenDate, rng);  // ...,not a date,...\n
#ifndef SEGMENTA_DEMO_DIRTY_H_
#define SEGMENTA_DEMO_DIRTY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "demo/rng.h"

namespace segmenta::demo_internal {

// Share of good rows that get a bad row inserted after them, per file.
inline constexpr double kDirtyRate = 0.005;

inline constexpr std::string_view kManifestHeader = "file,line,kind\n";

enum class DirtyKind : uint8_t {
  kMissingId,         // empty customer_id (customers, events)
  kBrokenDate,        // unparseable ts (events)
  kNonNumericAmount,  // "12,5O", N/A, abc as a purchase amount (events)
  kDuplicate,         // exact copy of an earlier good row (events; valid, kept by loaders)
  kStrayQuote,        // a field with an unbalanced double quote (customers, events)
  kBadEncoding,       // Latin-1/Latin-2 bytes that are invalid UTF-8 (customers, events)
  kUnknownCustomer,   // customer_id not in customers.csv (events)
};

std::string_view DirtyKindName(DirtyKind kind);

// Picks the defect for a bad events row; non_numeric_amount needs a purchase.
DirtyKind PickEventDefect(bool is_purchase, Rng& rng);
DirtyKind PickCustomerDefect(Rng& rng);

// Append `good_line` (one CSV record, with or without its '\n') with one defect of
// `kind` applied, and a '\n'. Good lines must hold no quotes or quoted fields.
void AppendEventDefect(std::string& out, std::string_view good_line, DirtyKind kind, Rng& rng);
void AppendCustomerDefect(std::string& out, std::string_view good_line, DirtyKind kind, Rng& rng);

}  // namespace segmenta::demo_internal

#endif  // SEGMENTA_DEMO_DIRTY_H_

// Generates the rows of a contiguous range of customers into memory buffers.
//
// A chunk's bytes depend only on the seed, the customer range and the first order
// number, never on which thread runs it, so chunks can be produced in parallel and
// written in order. GenerateChunk is thread-safe for distinct outputs.
#ifndef SEGMENTA_DEMO_CHUNK_H_
#define SEGMENTA_DEMO_CHUNK_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "demo/calendar.h"
#include "demo/dirty.h"

namespace segmenta::demo_internal {

inline constexpr std::string_view kTruthHeader = "customer_id,behaviour\n";

struct GeneratorConfig {
  uint64_t seed = 0;
  int64_t customers = 0;  // total customers (ids of spare dirty rows start after them)
  bool dirty = false;
  const Calendar* calendar = nullptr;  // shared, read-only
};

struct ChunkRange {
  int64_t first_customer = 0;  // 0-based customer index
  int64_t end_customer = 0;    // one past the last
  int64_t first_order_no = 1;  // order number of the chunk's first purchase
};

// A bad row, by its 0-based data-row position within the chunk's buffer.
struct DefectRow {
  int64_t row = 0;
  DirtyKind kind = DirtyKind::kMissingId;
};

struct ChunkOutput {
  std::string customers;      // customers.csv lines
  std::string events;         // events.csv lines
  std::string truth;          // truth.csv lines
  int64_t customer_rows = 0;  // lines in `customers`, bad ones included
  int64_t event_rows = 0;     // lines in `events`, bad ones included
  int64_t purchases = 0;
  std::vector<DefectRow> customer_defects;
  std::vector<DefectRow> event_defects;
};

// Sum of planned purchases of customers [first_customer, end_customer).
int64_t CountPurchases(uint64_t seed, int64_t first_customer, int64_t end_customer);

// Replaces `out` with the rows of `range`.
void GenerateChunk(const GeneratorConfig& config, const ChunkRange& range, ChunkOutput& out);

}  // namespace segmenta::demo_internal

#endif  // SEGMENTA_DEMO_CHUNK_H_

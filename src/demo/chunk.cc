#include "demo/chunk.h"

#include <optional>

#include "demo/behaviour.h"
#include "demo/customer_gen.h"
#include "demo/event_gen.h"
#include "demo/format.h"
#include "demo/rng.h"

namespace segmenta::demo_internal {
namespace {

constexpr size_t kMaxIdLength = 24;
// Rough bytes per customer, to size buffers once per chunk.
constexpr size_t kCustomerBytesHint = 200;
constexpr size_t kEventBytesHint = size_t{24} * 72;

class ChunkBuilder {
 public:
  ChunkBuilder(const GeneratorConfig& config, ChunkOutput& out) : config_(config), out_(out) {}

  // Appends everything about customer `customer_idx`; its orders start at `order_no`.
  void AddCustomer(int64_t customer_idx, int64_t order_no);

 private:
  void AddBadCustomer(int64_t customer_idx, const CustomerPlan& plan, Rng& dirty_rng);
  void AddTruth(std::string_view customer_id, Behaviour behaviour);
  void AddEvents(std::string_view customer_id, Rng* dirty_rng);
  void AddBadEvent(const Event& event, Rng& dirty_rng);

  const GeneratorConfig& config_;
  ChunkOutput& out_;
  std::vector<Event> events_;  // reused across customers
  std::string scratch_;
};

void ChunkBuilder::AddCustomer(int64_t customer_idx, int64_t order_no) {
  const CustomerPlan plan = PlanCustomer(config_.seed, customer_idx);
  Rng rng = Rng::ForCustomer(config_.seed, customer_idx, RngStream::kDetail);
  Rng extra = Rng::ForCustomer(config_.seed, customer_idx, RngStream::kExtra);
  const CustomerFacts facts =
      AppendCustomerLine(out_.customers, plan, customer_idx + 1, rng, extra);
  ++out_.customer_rows;

  std::optional<Rng> dirty_rng;
  if (config_.dirty)
    dirty_rng.emplace(Rng::ForCustomer(config_.seed, customer_idx, RngStream::kDirty));
  if (dirty_rng && dirty_rng->Bernoulli(kDirtyRate)) AddBadCustomer(customer_idx, plan, *dirty_rng);

  char id_text[kMaxIdLength];
  const std::string_view customer_id(id_text, PutCustomerId(id_text, customer_idx + 1) - id_text);
  AddTruth(customer_id, plan.behaviour);
  GenerateEvents(*config_.calendar, plan, facts, order_no, rng, extra, events_);
  out_.purchases += plan.purchases;
  AddEvents(customer_id, dirty_rng ? &*dirty_rng : nullptr);
}

// A spare synthetic customer (id after all real ones) with one defect.
void ChunkBuilder::AddBadCustomer(int64_t customer_idx, const CustomerPlan& plan, Rng& dirty_rng) {
  Rng spare_rng = Rng::ForCustomer(config_.seed, customer_idx, RngStream::kDirtyRow);
  scratch_.clear();
  AppendCustomerLine(scratch_, plan, config_.customers + customer_idx + 1, spare_rng, spare_rng);
  const DirtyKind kind = PickCustomerDefect(dirty_rng);
  AppendCustomerDefect(out_.customers, scratch_, kind, dirty_rng);
  out_.customer_defects.push_back({out_.customer_rows, kind});
  ++out_.customer_rows;
}

void ChunkBuilder::AddTruth(std::string_view customer_id, Behaviour behaviour) {
  out_.truth += customer_id;
  out_.truth += ',';
  out_.truth += BehaviourName(behaviour);
  out_.truth += '\n';
}

void ChunkBuilder::AddEvents(std::string_view customer_id, Rng* dirty_rng) {
  for (const Event& event : events_) {
    char* line = BeginLine(out_.events, kMaxEventLine);
    EndLine(out_.events, PutEventLine(line, *config_.calendar, customer_id, event));
    ++out_.event_rows;
    if (dirty_rng != nullptr && dirty_rng->Bernoulli(kDirtyRate)) {
      scratch_.assign(line, out_.events.data() + out_.events.size());
      AddBadEvent(event, *dirty_rng);
    }
  }
}

// `scratch_` holds the good line just written for `event`.
void ChunkBuilder::AddBadEvent(const Event& event, Rng& dirty_rng) {
  const DirtyKind kind = PickEventDefect(event.type == EventType::kPurchase, dirty_rng);
  AppendEventDefect(out_.events, scratch_, kind, dirty_rng);
  out_.event_defects.push_back({out_.event_rows, kind});
  ++out_.event_rows;
}

}  // namespace

int64_t CountPurchases(uint64_t seed, int64_t first_customer, int64_t end_customer) {
  int64_t purchases = 0;
  for (int64_t customer_idx = first_customer; customer_idx < end_customer; ++customer_idx) {
    purchases += PlanCustomer(seed, customer_idx).purchases;
  }
  return purchases;
}

void GenerateChunk(const GeneratorConfig& config, const ChunkRange& range, ChunkOutput& out) {
  out = ChunkOutput();
  const auto customers = static_cast<size_t>(range.end_customer - range.first_customer);
  out.customers.reserve(customers * kCustomerBytesHint);
  out.events.reserve(customers * kEventBytesHint);
  out.truth.reserve(customers * 32);
  ChunkBuilder builder(config, out);
  int64_t order_no = range.first_order_no;
  for (int64_t customer_idx = range.first_customer; customer_idx < range.end_customer;
       ++customer_idx) {
    const int64_t before = out.purchases;
    builder.AddCustomer(customer_idx, order_no);
    order_no += out.purchases - before;
  }
}

}  // namespace segmenta::demo_internal

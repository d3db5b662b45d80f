// WriteDemoProject: plans order numbers, generates customer chunks in parallel and
// writes them in order with large fwrite calls.
#include "segmenta/demo.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "demo/calendar.h"
#include "demo/chunk.h"
#include "demo/customer_gen.h"
#include "demo/dirty.h"
#include "demo/event_gen.h"
#include "demo/pipeline.h"
#include "demo/spend.h"

namespace segmenta {
namespace {

namespace fs = std::filesystem;
using demo_internal::ChunkOutput;
using demo_internal::ChunkRange;
using demo_internal::DefectRow;

constexpr int64_t kMaxCustomers = 100'000'000;
constexpr int kMaxThreads = 256;
constexpr int64_t kMinChunk = 64;
constexpr int64_t kMaxChunk = 4096;

constexpr std::string_view kProjectToml =
    R"toml(# Segmenta demo project, written by `segmenta init --demo`.
# data/truth.csv holds each customer's hidden behaviour type (for checking segmenters).

[workspace]
# as_of = "2026-11-01"   # optional; defaults to the day after the newest event

[sources.customers]
file = "data/customers.csv"
kind = "customers"
id = "customer_id"
attributes = { email = "contact:text", age = "demographic:number", gender = "demographic:category", income_band = "demographic:category", education = "demographic:category", occupation = "demographic:category", country = "geographic:category", region = "geographic:category", city = "geographic:category", interests = "psychographic:list", lifestyle = "psychographic:category", marketing_opt_in = "consent:category", signup_date = "demographic:date", phone = "contact:text" }

[sources.events]
file = "data/events.csv"
kind = "events"
customer = "customer_id"
time = "ts"
type_column = "type"
amount = "amount"
order_id = "order_id"
channel = "channel"
category = "category"
campaign = "campaign"
score = "score"
unknown_customers = "quarantine"

# Marketing cost per campaign, channel and target segment: CAC and ROI in `segmenta kpis`.
[sources.spend]
file = "data/spend.csv"
kind = "spend"
campaign = "campaign"
channel = "channel"
segment = "segment"
period = "period"
cost = "cost"

[[segmentation]]
name = "rfm"
method = "rfm"

[[segmentation]]
name = "journey"
method = "journey"

# Audiences for campaigns: a customer may be in several (overlap = "all").
[[segmentation]]
name = "audiences"
method = "rules"
overlap = "all"
rules = {
  "VIP care" = "in_segment('rfm', 'Champions') and monetary > 800",
  "Win-back" = "recency_days between 120 and 365 and frequency >= 3",
  "Cart rescue" = "cart_abandons_90d >= 2 and recency_days > 30",
  "Email fans" = "email_click_rate >= 0.2 and frequency >= 2",
  "New in Romania" = "journey_stage = 'new' and country = 'Romania'",
  "Holiday shoppers" = "holiday_share >= 0.5 and frequency >= 2",
  "Unhappy" = "last_feedback_score <= 6",
  "Lapsing app users" = "preferred_channel = 'app' and journey_stage = 'lapsing'",
  "Young urbanites" = "age between 18 and 30 and lifestyle = 'urban_professional'",
  "Browsing, not buying" = "had(visit, within 30d) and not had(purchase, within 90d)",
  "Slipping regulars" = "frequency >= 4 and p_alive < 0.5"
}

# Natural groups nobody wrote a rule for: k-means on behaviour, k chosen from 2..10.
[[segmentation]]
name = "behaviour"
method = "kmeans"
features = ["recency_days", "frequency", "monetary", "avg_order_value", "tenure_days", "promo_share", "holiday_share", "visits_30d"]
k = "auto"
k_range = [2, 10]

# Numbers and categories together: k-prototypes.
[[segmentation]]
name = "profiles"
method = "kprototypes"
features = ["age", "frequency", "monetary", "recency_days", "email_open_rate", "tenure_days"]
categories = ["preferred_channel", "country", "gender", "lifestyle"]
k = 6

# Customer value: BG/NBD for purchases and P(alive), Gamma-Gamma for order values.
[value]
model = "bgnbd"
discount_rate = 0.10
churn_risk = [0.3, 0.7]
holdout_days = 90

[[segmentation]]
name = "value"
method = "value"
by = "clv"
tiers = [0.2, 0.5]

[[segmentation]]
name = "churn"
method = "value"
by = "churn_risk"

[privacy]
min_group_size = 10

# Phone numbers written without a country code ("0712 345 678") are Romanian.
[export]
phone_country = "40"

# KPIs per segment over the 90 days before each snapshot.
[kpis]
period_days = 90

# Enter/exit webhooks after each run, e.g.:
# [[webhook]]
# name = "crm"
# url = "https://crm.example.com/hooks/segments"
# secret_env = "CRM_WEBHOOK_SECRET"
# segments = ["rfm/Champions", "audiences/*"]
)toml";

// A FILE* opened for writing; errors name the file.
class OutputFile {
 public:
  static Result<OutputFile> Open(const fs::path& path) {
    OutputFile file;
    file.name_ = path.string();
    file.file_.reset(std::fopen(file.name_.c_str(), "wb"));
    if (file.file_ == nullptr) return Status::IoError("cannot create " + file.name_);
    return file;
  }

  Status Write(std::string_view bytes) {
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_.get()) != bytes.size()) {
      return Status::IoError("cannot write " + name_);
    }
    return Status::Ok();
  }

  Status Close() {
    if (file_ == nullptr) return Status::Ok();
    if (std::fclose(file_.release()) != 0) return Status::IoError("cannot write " + name_);
    return Status::Ok();
  }

 private:
  struct Closer {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  std::unique_ptr<std::FILE, Closer> file_;
  std::string name_;
};

Result<OutputFile> OpenWithHeader(const fs::path& path, std::string_view header) {
  SEG_ASSIGN_OR_RETURN(OutputFile file, OutputFile::Open(path));
  SEG_RETURN_IF_ERROR(file.Write(header));
  return file;
}

// Receives chunks in order and appends them to the data files and the manifest.
class DataWriter {
 public:
  static Result<DataWriter> Open(const fs::path& data_dir, bool dirty);
  Status WriteChunk(const ChunkOutput& chunk);
  // Closes the data files and writes the manifest; returns what was written.
  Result<DemoSummary> Finish();

 private:
  DataWriter(OutputFile customers, OutputFile events, OutputFile truth)
      : customers_(std::move(customers)), events_(std::move(events)), truth_(std::move(truth)) {}
  static void AddToManifest(std::string_view file, int64_t lines_before,
                            const std::vector<DefectRow>& defects, std::string& manifest);

  OutputFile customers_;
  OutputFile events_;
  OutputFile truth_;
  fs::path manifest_path_;         // empty unless dirty
  std::string customer_manifest_;  // manifest lines, customers.csv first, then events.csv
  std::string event_manifest_;
  int64_t customer_lines_ = 1;  // lines written so far, header included
  int64_t event_lines_ = 1;
  DemoSummary counts_;
};

Result<DataWriter> DataWriter::Open(const fs::path& data_dir, bool dirty) {
  SEG_ASSIGN_OR_RETURN(OutputFile customers,
                       OpenWithHeader(data_dir / "customers.csv", demo_internal::kCustomersHeader));
  SEG_ASSIGN_OR_RETURN(OutputFile events,
                       OpenWithHeader(data_dir / "events.csv", demo_internal::kEventsHeader));
  SEG_ASSIGN_OR_RETURN(OutputFile truth,
                       OpenWithHeader(data_dir / "truth.csv", demo_internal::kTruthHeader));
  DataWriter writer(std::move(customers), std::move(events), std::move(truth));
  const fs::path manifest_path = data_dir / "dirty_manifest.csv";
  if (dirty) {
    writer.manifest_path_ = manifest_path;
  } else {
    std::error_code ignored;
    fs::remove(manifest_path, ignored);  // a stale one would mislead
  }
  return writer;
}

void DataWriter::AddToManifest(std::string_view file, int64_t lines_before,
                               const std::vector<DefectRow>& defects, std::string& manifest) {
  for (const DefectRow& defect : defects) {
    manifest += file;
    manifest += ',';
    manifest += std::to_string(lines_before + defect.row + 1);
    manifest += ',';
    manifest += demo_internal::DirtyKindName(defect.kind);
    manifest += '\n';
  }
}

Status DataWriter::WriteChunk(const ChunkOutput& chunk) {
  SEG_RETURN_IF_ERROR(customers_.Write(chunk.customers));
  SEG_RETURN_IF_ERROR(events_.Write(chunk.events));
  SEG_RETURN_IF_ERROR(truth_.Write(chunk.truth));
  AddToManifest("data/customers.csv", customer_lines_, chunk.customer_defects, customer_manifest_);
  AddToManifest("data/events.csv", event_lines_, chunk.event_defects, event_manifest_);
  customer_lines_ += chunk.customer_rows;
  event_lines_ += chunk.event_rows;
  counts_.bad_customer_rows += static_cast<int64_t>(chunk.customer_defects.size());
  counts_.bad_event_rows += static_cast<int64_t>(chunk.event_defects.size());
  counts_.customers += chunk.customer_rows - static_cast<int64_t>(chunk.customer_defects.size());
  counts_.events += chunk.event_rows - static_cast<int64_t>(chunk.event_defects.size());
  counts_.orders += chunk.purchases;
  return Status::Ok();
}

Result<DemoSummary> DataWriter::Finish() {
  SEG_RETURN_IF_ERROR(customers_.Close());
  SEG_RETURN_IF_ERROR(events_.Close());
  SEG_RETURN_IF_ERROR(truth_.Close());
  if (!manifest_path_.empty()) {
    SEG_ASSIGN_OR_RETURN(OutputFile manifest,
                         OpenWithHeader(manifest_path_, demo_internal::kManifestHeader));
    SEG_RETURN_IF_ERROR(manifest.Write(customer_manifest_));
    SEG_RETURN_IF_ERROR(manifest.Write(event_manifest_));
    SEG_RETURN_IF_ERROR(manifest.Close());
  }
  return counts_;
}

Status ValidateOptions(const DemoOptions& options) {
  if (options.customers < 1 || options.customers > kMaxCustomers) {
    return Status::InvalidArgument("demo customers must be between 1 and " +
                                   std::to_string(kMaxCustomers) + ", got " +
                                   std::to_string(options.customers));
  }
  if (options.threads < 0 || options.threads > kMaxThreads) {
    return Status::InvalidArgument("demo threads must be between 0 (all cores) and " +
                                   std::to_string(kMaxThreads));
  }
  return Status::Ok();
}

int WorkerCount(int threads) {
  if (threads > 0) return threads;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

// Chunk boundaries never change the output, so they can follow the thread count.
std::vector<ChunkRange> SplitCustomers(int64_t customers, int workers) {
  const int64_t chunk = std::clamp<int64_t>(customers / (workers * 8LL), kMinChunk, kMaxChunk);
  std::vector<ChunkRange> ranges;
  for (int64_t first = 0; first < customers; first += chunk) {
    ranges.push_back({first, std::min(customers, first + chunk), 0});
  }
  return ranges;
}

// Numbers orders globally in customer order: each chunk starts where the last ended.
Status AssignOrderNumbers(uint64_t seed, int workers, std::vector<ChunkRange>& ranges) {
  std::vector<int64_t> purchases(ranges.size());
  SEG_RETURN_IF_ERROR(demo_internal::ParallelFor(
      static_cast<int64_t>(ranges.size()), workers, [&](int64_t chunk_idx) {
        const ChunkRange& range = ranges[chunk_idx];
        purchases[chunk_idx] =
            demo_internal::CountPurchases(seed, range.first_customer, range.end_customer);
      }));
  int64_t next_order_no = 1;
  for (size_t chunk_idx = 0; chunk_idx < ranges.size(); ++chunk_idx) {
    ranges[chunk_idx].first_order_no = next_order_no;
    next_order_no += purchases[chunk_idx];
  }
  return Status::Ok();
}

Status PrepareDirectory(const fs::path& dir) {
  std::error_code error;
  if (fs::exists(dir / "segmenta.toml", error)) {
    return Status::InvalidArgument((dir / "segmenta.toml").string() +
                                   " already exists; choose an empty directory");
  }
  fs::create_directories(dir / "data", error);
  if (error) {
    return Status::IoError("cannot create " + (dir / "data").string() + ": " + error.message());
  }
  return Status::Ok();
}

Status WriteSpendFile(const fs::path& data_dir, const demo_internal::Calendar& calendar,
                      int64_t customers) {
  SEG_ASSIGN_OR_RETURN(OutputFile spend,
                       OpenWithHeader(data_dir / "spend.csv", demo_internal::kSpendHeader));
  SEG_RETURN_IF_ERROR(spend.Write(demo_internal::SpendRows(calendar, customers)));
  return spend.Close();
}

Status WriteProjectFile(const fs::path& dir) {
  SEG_ASSIGN_OR_RETURN(OutputFile toml, OutputFile::Open(dir / "segmenta.toml"));
  SEG_RETURN_IF_ERROR(toml.Write(kProjectToml));
  return toml.Close();
}

}  // namespace

Result<DemoSummary> WriteDemoProject(const DemoOptions& options, const fs::path& dir) {
  SEG_RETURN_IF_ERROR(ValidateOptions(options));
  SEG_RETURN_IF_ERROR(PrepareDirectory(dir));
  const int workers = WorkerCount(options.threads);
  std::vector<ChunkRange> ranges = SplitCustomers(options.customers, workers);
  SEG_RETURN_IF_ERROR(AssignOrderNumbers(options.seed, workers, ranges));

  const demo_internal::Calendar calendar;
  const demo_internal::GeneratorConfig config{options.seed, options.customers, options.dirty,
                                              &calendar};
  SEG_ASSIGN_OR_RETURN(DataWriter writer, DataWriter::Open(dir / "data", options.dirty));
  SEG_RETURN_IF_ERROR(demo_internal::RunOrdered(
      static_cast<int64_t>(ranges.size()), workers, workers * 3,
      [&](int64_t chunk_idx, ChunkOutput& out) {
        demo_internal::GenerateChunk(config, ranges[chunk_idx], out);
      },
      [&](int64_t /*chunk_idx*/, ChunkOutput& out) { return writer.WriteChunk(out); }));
  SEG_ASSIGN_OR_RETURN(DemoSummary summary, writer.Finish());
  SEG_RETURN_IF_ERROR(WriteSpendFile(dir / "data", calendar, options.customers));
  SEG_RETURN_IF_ERROR(WriteProjectFile(dir));
  return summary;
}

}  // namespace segmenta

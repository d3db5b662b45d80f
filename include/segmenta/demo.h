// Demo data: a complete, realistic Segmenta project generated from a seed.
//
// WriteDemoProject writes customers, two years of events (ending 2026-10-31 23:59:59,
// whatever today's date is), the hidden behaviour type of every customer and a ready
// segmenta.toml into a directory:
//
//   segmenta::DemoOptions options;
//   options.customers = 50000;
//   options.dirty = true;  // also inject ~0.5% bad rows, listed in data/dirty_manifest.csv
//   segmenta::Result<segmenta::DemoSummary> summary =
//       segmenta::WriteDemoProject(options, "demo");
//   if (!summary.ok()) return summary.status().exit_code();
//   std::cout << summary->events << " events\n";
//
// Files written under `dir`:
//   segmenta.toml            the project file (sources, an RFM segmentation, privacy)
//   data/customers.csv       customer_id,email,age,...,signup_date (UTF-8, some blanks)
//   data/events.csv          customer_id,ts,type,amount,order_id,channel,category,campaign,score
//   data/truth.csv           customer_id,behaviour: the latent type (champion, lapsed, ...)
//   data/dirty_manifest.csv  file,line,kind of every injected bad row (dirty only)
//
// Customers come from seven behaviour types (champion, loyal_regular, bargain_hunter,
// holiday_shopper, new_customer, lapsed, browser) that buy, browse and read e-mail
// differently, so segmenters have real structure to find and tests have ground truth.
//
// Output is a pure function of the options minus `threads`: the same options give
// byte-identical files on any number of threads. Every record is one physical line.
// With `dirty`, each bad row has exactly one defect and is an extra line: the good rows
// are the same as without `dirty`.
//
// Thread-safety: WriteDemoProject may run concurrently for different directories.
#ifndef SEGMENTA_DEMO_H_
#define SEGMENTA_DEMO_H_

#include <cstdint>
#include <filesystem>

#include "segmenta/status.h"

namespace segmenta {

struct DemoOptions {
  int64_t customers = 20000;  // customers to generate (1 .. 100,000,000); ~20 events each
  uint64_t seed = 42;         // same seed, same files
  bool dirty = false;         // inject ~0.5% bad rows per file and write dirty_manifest.csv
  int threads = 0;            // generator threads; 0 = hardware concurrency
};

// What WriteDemoProject wrote.
struct DemoSummary {
  int64_t customers = 0;          // good customer rows (= rows of truth.csv)
  int64_t events = 0;             // good event rows
  int64_t orders = 0;             // purchase rows, one per order
  int64_t bad_customer_rows = 0;  // injected bad rows in customers.csv (dirty only)
  int64_t bad_event_rows = 0;     // injected bad rows in events.csv, duplicates included
};

// Writes a demo project into `dir`, creating it if needed. Fails with InvalidArgument
// when `dir/segmenta.toml` already exists or an option is out of range, and with
// IoError when a file cannot be written (files written so far are left in place;
// segmenta.toml is written last, so a failed run never looks like a project).
Result<DemoSummary> WriteDemoProject(const DemoOptions& options, const std::filesystem::path& dir);

}  // namespace segmenta

#endif  // SEGMENTA_DEMO_H_

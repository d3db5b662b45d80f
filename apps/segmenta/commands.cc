#include "commands.h"

#include <filesystem>
#include <fstream>
#include <iostream>

#include "segmenta/demo.h"
#include "segmenta/features.h"
#include "segmenta/ingest.h"
#include "segmenta/project.h"
#include "segmenta/workspace.h"

namespace segmenta::cli {
namespace {

constexpr const char* kTemplate = R"toml(# Segmenta project. Reference: docs/guide.md
[workspace]
# as_of = "2026-11-01"          # reference date; default: the day after the newest event

# [sources.customers]
# file = "data/customers.csv"   # .csv, .parquet or .jsonl
# kind = "customers"
# id = "customer_id"
# attributes = { age = "demographic:number", city = "geographic:category",
#                email = "contact:text", opt_in = "consent:category" }

# [sources.orders]
# file = "data/orders.csv"
# kind = "events"
# customer = "CustomerID"
# time = "InvoiceDate"
# type = "purchase"
# amount = "Quantity * UnitPrice"
# order_id = "InvoiceNo"
# unknown_customers = "create"  # or "quarantine"

[privacy]
min_group_size = 10
)toml";

nlohmann::json ToJson(const SourceReport& source) {
  nlohmann::json reasons = nlohmann::json::array();
  for (const ReasonCount& reason : source.reasons) {
    reasons.push_back({{"reason", reason.reason}, {"rows", reason.rows}});
  }
  return {{"source", source.source},
          {"file", source.file},
          {"kind", source.kind},
          {"read_as", source.read_as},
          {"rows_read", source.rows_read},
          {"rows_loaded", source.rows_loaded},
          {"rows_quarantined", source.rows_quarantined},
          {"rows_filtered", source.rows_filtered},
          {"duplicates", source.duplicates},
          {"customers_created", source.customers_created},
          {"seconds", source.seconds},
          {"reconciles", source.reconciles()},
          {"quarantine_reasons", reasons}};
}

void PrintIngestText(const IngestReport& report, const Project& project) {
  std::vector<std::vector<std::string>> rows;
  for (const SourceReport& source : report.sources) {
    rows.push_back({source.source, source.kind, Thousands(source.rows_read),
                    Thousands(source.rows_loaded), Thousands(source.rows_quarantined),
                    Thousands(source.rows_filtered), Thousands(source.duplicates),
                    source.reconciles() ? "yes" : "NO"});
  }
  PrintTable(
      {"source", "kind", "read", "loaded", "quarantined", "filtered", "duplicates", "adds up"},
      rows);
  for (const SourceReport& source : report.sources) {
    char seconds[32];
    std::snprintf(seconds, sizeof(seconds), "%.2f s", source.seconds);
    std::cout << "\n"
              << source.source << ": " << source.file << " (" << source.read_as << ", " << seconds
              << ")\n";
    if (source.customers_created > 0) {
      std::cout << "  " << Thousands(source.customers_created)
                << " customers created for events of unknown customers\n";
    }
    for (const ReasonCount& reason : source.reasons) {
      std::cout << "  quarantined " << Thousands(reason.rows) << ": " << reason.reason << "\n";
    }
  }
  std::cout << "\nWorkspace " << project.workspace.string() << ": " << Thousands(report.customers)
            << " customers, " << Thousands(report.events) << " events.\n";
  if (report.quarantined() > 0) {
    std::cout << Thousands(report.quarantined())
              << " rows quarantined with their line and reason: segmenta quarantine\n";
  }
}

}  // namespace

int RunInit(const GlobalFlags& global, const InitFlags& flags, const Output& out) {
  std::filesystem::path dir =
      (std::filesystem::path(global.project_dir) / flags.dir).lexically_normal();
  if (flags.demo_customers > 0) {
    DemoOptions options;
    options.customers = flags.demo_customers;
    options.seed = flags.seed;
    options.dirty = flags.dirty;
    Result<DemoSummary> summary = WriteDemoProject(options, dir);
    if (!summary.ok()) return Fail(out, summary.status());
    if (out.json) {
      PrintJson({{"ok", true},
                 {"project", dir.string()},
                 {"customers", summary->customers},
                 {"events", summary->events},
                 {"orders", summary->orders},
                 {"bad_customer_rows", summary->bad_customer_rows},
                 {"bad_event_rows", summary->bad_event_rows}});
    } else {
      std::cout << "Demo project in " << dir.string() << ": " << Thousands(summary->customers)
                << " customers, " << Thousands(summary->events) << " events"
                << (flags.dirty
                        ? ", " + Thousands(summary->bad_customer_rows + summary->bad_event_rows) +
                              " bad rows mixed in (data/dirty_manifest.csv)"
                        : "")
                << ".\nNext: segmenta -C " << dir.string() << " ingest\n";
    }
    return 0;
  }
  std::filesystem::path file = dir / "segmenta.toml";
  if (std::filesystem::exists(file)) {
    return Fail(out, Status::InvalidArgument(file.string() + " already exists; not overwriting"));
  }
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  std::ofstream(file) << kTemplate;
  if (error || !std::filesystem::exists(file)) {
    return Fail(out, Status::IoError("cannot write " + file.string()));
  }
  if (out.json) {
    PrintJson({{"ok", true}, {"project", dir.string()}});
  } else {
    std::cout << "Wrote " << file.string() << "; declare your sources in it, then: segmenta -C "
              << dir.string() << " ingest\n";
  }
  return 0;
}

int RunIngest(const GlobalFlags& global, const IngestFlags& flags, const Output& out) {
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  const Project& project = *opened.project;
  Workspace& workspace = *opened.workspace;
  ProgressBar bar(out.progress);
  IngestOptions options;
  options.only = flags.only;
  options.progress = [&](const std::string& source, double done) { bar.Update(source, done); };
  Result<IngestReport> report = Ingest(project, workspace, options);
  bar.Done();
  if (!report.ok()) return Fail(out, report.status());
  int code = report->quarantined() > 0 && !flags.accept_rejects ? 3 : 0;
  if (out.json) {
    nlohmann::json sources = nlohmann::json::array();
    for (const SourceReport& source : report->sources) sources.push_back(ToJson(source));
    PrintJson({{"ok", true},
               {"exit_code", code},
               {"sources", sources},
               {"customers", report->customers},
               {"events", report->events},
               {"quarantined", report->quarantined()}});
  } else {
    PrintIngestText(*report, project);
  }
  return code;
}

int RunQuarantine(const GlobalFlags& global, const QuarantineFlags& flags, const Output& out) {
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  Workspace& workspace = *opened.workspace;
  Result<std::vector<QuarantinedRow>> rows =
      ListQuarantine(workspace, {flags.source, flags.reason, flags.limit});
  if (!rows.ok()) return Fail(out, rows.status());
  if (out.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const QuarantinedRow& row : *rows) {
      list.push_back({{"source", row.source},
                      {"file", row.file},
                      {"line", row.line},
                      {"column", row.column},
                      {"value", row.value},
                      {"reason", row.reason},
                      {"raw", row.raw}});
    }
    PrintJson({{"ok", true}, {"rows", list}});
    return 0;
  }
  for (const QuarantinedRow& row : *rows) {
    std::cout << row.file << ":" << row.line << ": " << row.reason;
    if (!row.column.empty()) std::cout << " [column " << row.column << "]";
    if (!row.value.empty()) std::cout << " value '" << row.value << "'";
    std::cout << "\n    " << row.raw << "\n";
  }
  if (rows->empty()) std::cout << "No quarantined rows.\n";
  return 0;
}

Opened Open(const GlobalFlags& global, const Output& out) {
  Opened opened;
  opened.project = LoadProject(global.project_dir);
  if (!opened.project.ok()) {
    opened.failed = Fail(out, opened.project.status());
    return opened;
  }
  Result<Workspace> workspace = Workspace::Open(opened.project->workspace, opened.project->engine);
  if (!workspace.ok()) {
    opened.failed = Fail(out, workspace.status());
    return opened;
  }
  opened.workspace.emplace(std::move(*workspace));
  return opened;
}

}  // namespace segmenta::cli

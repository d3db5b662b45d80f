// Audience exports: the members of one segment of the latest snapshot, or one variant of
// an experiment, written as a CSV, JSON-lines or Parquet file for a campaign tool or an
// ad platform's customer-match upload.
//
//   segmenta::ExportRequest request;
//   request.audience = {.segmentation = "rfm", .segment = "Champions"};
//   request.hash_pii = true;  // emails and phones normalised, then SHA-256 hex
//   SEG_ASSIGN_OR_RETURN(segmenta::ExportSummary summary,
//                        segmenta::ExportAudience(project, ws, request, "champions.csv"));
//   std::cout << summary.customers << " customers, " << summary.left_out_no_consent
//             << " left out without consent\n";
//
// Columns: customer_id; then segmentation, segment, score (a segment) or experiment,
// variant (an experiment); then the requested ones: customer attributes, or features
// of the latest snapshot. Contact attributes (role "contact") are PII: with hash_pii
// they are written as `<name>_sha256` (emails trimmed and lower-cased, phones in E.164
// "+<digits>", others trimmed, then hashed; an unreadable phone is left empty and
// counted); without it they are written only when named, as they are. Customers
// without marketing consent (every attribute with role "consent" one of yes, y, true,
// 1, opt_in, opt-in, opted_in, granted, subscribed) are left out unless
// include_no_consent. An audience smaller than privacy.min_group_size is refused
// (DataError). The file appears under its name complete or not at all: it is written
// to `.<name>.tmp-<random>` beside it and renamed. Every export is one audit entry
// (who, what, how many; never ids or PII). Like the Workspace, not thread-safe.
#ifndef SEGMENTA_EXPORTS_H_
#define SEGMENTA_EXPORTS_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "segmenta/project.h"
#include "segmenta/status.h"
#include "segmenta/workspace.h"

namespace segmenta {

enum class ExportFormat { kCsv, kJsonLines, kParquet };

// "csv", "jsonl", "parquet".
std::string_view ToString(ExportFormat format);
// The inverse of ToString ("ndjson" is also jsonl); InvalidArgument naming the closest.
Result<ExportFormat> ParseExportFormat(std::string_view name);
// From the file's extension: .parquet, .jsonl / .ndjson, otherwise csv.
ExportFormat ExportFormatFor(const std::filesystem::path& file);

// Who is exported: a segment of the latest snapshot (segmentation and segment), or one
// variant of an experiment (experiment and variant, from its frozen assignment).
struct Audience {
  std::string segmentation;
  std::string segment;
  std::string experiment;
  std::string variant;
};

struct ExportRequest {
  Audience audience;
  ExportFormat format = ExportFormat::kCsv;
  // Customer attributes or features of the latest snapshot, in order. With hash_pii and
  // none named: every contact attribute, hashed (the customer-match layout).
  std::vector<std::string> columns;
  bool hash_pii = false;            // contact attributes as <name>_sha256
  bool include_no_consent = false;  // keep customers without marketing consent
  std::string actor = "segmenta";   // for the audit entry: "segmenta", "token:<id>"
};

struct ExportSummary {
  std::filesystem::path file;
  ExportFormat format = ExportFormat::kCsv;
  std::string audience;                  // "rfm/Champions" or "experiment:NAME/VARIANT"
  int64_t customers = 0;                 // rows written
  int64_t left_out_no_consent = 0;       // 0 when include_no_consent
  int64_t without_consent_included = 0;  // include_no_consent: rows without consent kept
  bool include_no_consent = false;
  std::vector<std::string> columns;    // every column written, in order
  std::vector<std::string> hashed;     // attributes written as <name>_sha256
  std::vector<std::string> plain_pii;  // contact attributes written as they are
  int64_t invalid_phones = 0;          // phone values that could not be read: left empty
};

// Writes the audience to `out_path` (its directory must exist; a file there is
// replaced). InvalidArgument for an unknown column (naming the closest) or when no
// consent attribute is declared and include_no_consent is not set; NotFound for an
// unknown segment, experiment or variant (naming the closest); DataError when fewer
// than privacy.min_group_size customers remain, and then no file is written.
Result<ExportSummary> ExportAudience(const Project& project, Workspace& workspace,
                                     const ExportRequest& request,
                                     const std::filesystem::path& out_path);

// One export, as the audit table holds it.
struct ExportRecord {
  std::string ts;  // UTC, "YYYY-MM-DD HH:MM:SS"
  std::string actor;
  std::string audience;
  std::string detail;  // "customers: N; format: F; ..."
};
// The newest `limit` exports, newest first.
Result<std::vector<ExportRecord>> ListExports(Workspace& workspace, int64_t limit);

}  // namespace segmenta

#endif  // SEGMENTA_EXPORTS_H_

// segmenta export: a segment's (or an experiment variant's) audience as a file.
#include <iostream>
#include <memory>

#include "commands.h"
#include "segmenta/exports.h"

namespace segmenta::cli {
namespace {

struct ExportFlags {
  std::string segmentation;
  std::string segment;
  std::string experiment;
  std::string variant;
  std::string out;
  std::string format;  // "": from the extension of --out
  std::vector<std::string> columns;
  bool hash_pii = false;
  bool include_no_consent = false;
};

std::string Join(const std::vector<std::string>& items) {
  std::string joined;
  for (const std::string& item : items) joined += (joined.empty() ? "" : ", ") + item;
  return joined;
}

nlohmann::json ToJson(const ExportSummary& summary, const std::string& file) {
  return {{"ok", true},
          {"file", file},
          {"audience", summary.audience},
          {"format", ToString(summary.format)},
          {"customers", summary.customers},
          {"left_out_no_consent", summary.left_out_no_consent},
          {"include_no_consent", summary.include_no_consent},
          {"columns", summary.columns},
          {"hashed", summary.hashed},
          {"invalid_phones", summary.invalid_phones},
          {"plain_pii", summary.plain_pii}};
}

void PrintSummary(const ExportSummary& summary, const std::string& file) {
  std::cout << "Wrote " << Thousands(summary.customers) << " customers of " << summary.audience
            << " to " << file << " (" << ToString(summary.format) << ")";
  if (summary.include_no_consent) {
    std::cout << "; consent not checked (--include-no-consent)";
  } else {
    std::cout << "; " << Thousands(summary.left_out_no_consent)
              << " left out without marketing consent";
  }
  std::cout << "; hashed: " << (summary.hashed.empty() ? "none" : Join(summary.hashed)) << ".\n";
  if (!summary.plain_pii.empty()) {
    std::cout << "Plain PII (named in --columns, not hashed): " << Join(summary.plain_pii) << ".\n";
  }
  if (summary.invalid_phones > 0) {
    std::cout << Thousands(summary.invalid_phones)
              << " phone numbers could not be read as E.164 and were left empty"
                 " ([export] phone_country reads national numbers).\n";
  }
}

Result<ExportRequest> MakeRequest(const ExportFlags& flags) {
  ExportRequest request;
  request.audience = {flags.segmentation, flags.segment, flags.experiment, flags.variant};
  request.format = ExportFormatFor(flags.out);
  if (!flags.format.empty()) {
    SEG_ASSIGN_OR_RETURN(request.format, ParseExportFormat(flags.format));
  }
  request.columns = flags.columns;
  request.hash_pii = flags.hash_pii;
  request.include_no_consent = flags.include_no_consent;
  return request;
}

int RunExport(const GlobalFlags& global, const ExportFlags& flags, const Output& out) {
  bool segment = !flags.segmentation.empty();
  bool experiment = !flags.experiment.empty() || !flags.variant.empty();
  if (segment == experiment || (segment && flags.segment.empty()) ||
      (experiment && (flags.experiment.empty() || flags.variant.empty()))) {
    return Fail(out, Status::InvalidArgument(
                         "export takes a segment (segmenta export SEGMENTATION SEGMENT --out "
                         "FILE) or an experiment's variant (--experiment NAME --variant V)"));
  }
  Result<ExportRequest> request = MakeRequest(flags);
  if (!request.ok()) return Fail(out, request.status());
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  std::filesystem::path file = flags.out;
  if (file.is_relative()) file = opened.project->root / file;
  Result<ExportSummary> summary =
      ExportAudience(*opened.project, *opened.workspace, *request, file);
  if (!summary.ok()) return Fail(out, summary.status());
  if (out.json) {
    PrintJson(ToJson(*summary, flags.out));
  } else {
    PrintSummary(*summary, flags.out);
  }
  return 0;
}

}  // namespace

void AddExportVerb(CLI::App& app, const GlobalFlags& global, std::vector<Verb>& verbs) {
  auto flags = std::make_shared<ExportFlags>();
  CLI::App* command = app.add_subcommand(
      "export", "Write a segment's or an experiment variant's audience to a file (audited)");
  command->add_option("segmentation", flags->segmentation, "Segmentation");
  command->add_option("segment", flags->segment, "Segment");
  command->add_option("--experiment", flags->experiment, "An experiment, instead of a segment");
  command->add_option("--variant", flags->variant, "The experiment's variant to export");
  command->add_option("--out", flags->out, "The file to write (.csv, .jsonl, .parquet)")
      ->required();
  command->add_option("--format", flags->format, "csv, jsonl or parquet (default: from --out)");
  command
      ->add_option("--columns", flags->columns,
                   "Customer attributes or features to add, e.g. --columns age,country")
      ->delimiter(',');
  command->add_flag("--hash-pii", flags->hash_pii,
                    "Contact attributes as SHA-256 of their normalised value (<name>_sha256)");
  command->add_flag("--include-no-consent", flags->include_no_consent,
                    "Keep customers without marketing consent (left out by default)");
  verbs.push_back(
      {command, [&global, flags](const Output& out) { return RunExport(global, *flags, out); }});
}

}  // namespace segmenta::cli

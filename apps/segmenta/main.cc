// segmenta: the command-line face of the library. Each verb parses its flags, calls
// the library, and prints text or JSON; nothing else lives here.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "output.h"

namespace {

int Run(int argc, char** argv) {
  using namespace segmenta::cli;
  CLI::App app{"segmenta — customer segmentation engine"};
  app.fallthrough();  // -C and --json may also come after the verb
  app.require_subcommand(1);
  app.set_version_flag("--version", "segmenta 0.1.0");
  GlobalFlags global;
  app.add_option("-C", global.project_dir, "Run as if started in DIR (the project directory)")
      ->type_name("DIR");
  app.add_flag("--json", global.json, "Machine-readable JSON output");

  InitFlags init;
  CLI::App* init_cmd = app.add_subcommand("init", "Write a new project (or a demo project)");
  init_cmd->add_option("dir", init.dir, "Directory to create")->required();
  init_cmd->add_option("--demo", init.demo_customers, "Generate demo data for N customers")
      ->check(CLI::Range(int64_t{1}, int64_t{100000000}));
  init_cmd->add_option("--seed", init.seed, "Random seed for the demo data");
  init_cmd->add_flag("--dirty", init.dirty, "Mix realistic bad rows into the demo data");

  IngestFlags ingest;
  CLI::App* ingest_cmd = app.add_subcommand("ingest", "Load the project's sources");
  ingest_cmd->add_option("--source", ingest.only, "Only these sources (repeatable)");
  ingest_cmd->add_flag("--accept-rejects", ingest.accept_rejects,
                       "Exit 0 even when rows were quarantined (default: exit 3)");

  FeaturesFlags features;
  CLI::App* features_cmd = app.add_subcommand("features", "Compute the per-customer features");
  features_cmd->add_option("--as-of", features.as_of, "Reference date YYYY-MM-DD");
  features_cmd->add_option("--out", features.out, "Write the table to FILE (.csv or .parquet)");
  features_cmd->add_flag("--list", features.list, "List the feature definitions and exit");

  QuarantineFlags quarantine;
  CLI::App* quarantine_cmd = app.add_subcommand("quarantine", "Show rows that were not loaded");
  quarantine_cmd->add_option("--source", quarantine.source, "Only this source");
  quarantine_cmd->add_option("--reason", quarantine.reason, "Only this reason");
  quarantine_cmd->add_option("--limit", quarantine.limit, "At most N rows (default 50)");

  RunFlags run;
  CLI::App* run_cmd = app.add_subcommand("run", "Run every segmentation into a new snapshot");
  run_cmd->add_option("--as-of", run.as_of, "Reference date YYYY-MM-DD");

  SegmentsFlags segments;
  CLI::App* segments_cmd = app.add_subcommand("segments", "Segment sizes of a snapshot");
  segments_cmd->add_option("--snapshot", segments.snapshot, "Snapshot id (default: the latest)");

  MembersFlags members;
  CLI::App* members_cmd = app.add_subcommand("members", "Customers in a segment");
  members_cmd->add_option("segmentation", members.segmentation, "Segmentation")->required();
  members_cmd->add_option("segment", members.segment, "Segment")->required();
  members_cmd->add_option("--at", members.at, "Who was in it on DATE (YYYY-MM-DD)");
  members_cmd->add_option("--out", members.out, "Write the ids to FILE (one per line)");
  members_cmd->add_option("--limit", members.limit, "At most N ids");

  CompareFlags compare;
  CLI::App* compare_cmd = app.add_subcommand("compare", "How segments moved between two snapshots");
  compare_cmd->add_option("snapshots", compare.snapshots, "Snapshots A B (default: the last two)")
      ->expected(0, 2);

  CustomerFlags customer;
  CLI::App* customer_cmd =
      app.add_subcommand("customer", "One customer's features, segments and why");
  customer_cmd->add_option("id", customer.id, "Customer id")->required();

  ShowFlags show;
  CLI::App* show_cmd = app.add_subcommand(
      "show", "The profile of one segment, or a segmentation's model (k search for clusters)");
  show_cmd->add_option("segmentation", show.segmentation, "Segmentation")->required();
  show_cmd->add_option("segment", show.segment, "Segment (leave out for the model)");

  PreviewFlags preview;
  CLI::App* preview_cmd =
      app.add_subcommand("preview", "Count and sample the customers a rule selects");
  preview_cmd->add_option("rule", preview.rule, "The rule, e.g. \"frequency >= 3\"")->required();
  preview_cmd->add_option("--sample", preview.sample, "How many ids to show (default 10)");

  CustomerFlags forget;
  CLI::App* forget_cmd = app.add_subcommand("forget", "Erase one customer everywhere (audited)");
  forget_cmd->add_option("id", forget.id, "Customer id")->required();

  ValueFlags value;
  CLI::App* value_cmd = app.add_subcommand(
      "value", "Customer value: BG/NBD or Pareto/NBD, Gamma-Gamma, P(alive), CLV");
  value_cmd->add_option("action", value.action, "fit, predict or diagnose")
      ->required()
      ->check(CLI::IsMember({"fit", "predict", "diagnose"}));
  value_cmd->add_option("--summary", value.summary,
                        "Read id,frequency,recency,T[,monetary_value] from FILE (CSV)");
  value_cmd->add_option("--as-of", value.as_of, "Calibration ends the day before DATE");
  value_cmd->add_option("--model", value.model, "bgnbd or paretonbd (default: [value] model)");
  value_cmd->add_option("--unit", value.unit, "weeks or days (default: [value] unit)");
  value_cmd->add_option("--penalty", value.penalty, "L2 penalty on the parameters");
  value_cmd->add_option("--horizon-days", value.horizon_days,
                        "predict: expected purchases over N days (default 90)");
  value_cmd->add_option("--customer", value.customer, "predict: only this customer");
  value_cmd->add_option("--out", value.out, "predict: write every customer to FILE (CSV)");
  value_cmd->add_option("--limit", value.limit, "predict: at most N customers shown");
  value_cmd
      ->add_option("--holdout-days", value.holdout_days,
                   "diagnose: hold out the last N days before as_of (default 90)")
      ->check(CLI::Range(1, 3650));

  ReportFlags report;
  CLI::App* report_cmd =
      app.add_subcommand("report", "Write the latest snapshot as one self-contained HTML file");
  report_cmd->add_option("--out", report.out, "The file to write (default report.html)");

  ServeFlags serve;
  CLI::App* serve_cmd =
      app.add_subcommand("serve", "Serve the HTTP API and the dashboard (stop with Ctrl-C)");
  serve_cmd->add_option("--host", serve.host, "Address to listen on (default 127.0.0.1)");
  serve_cmd->add_option("--port", serve.port, "Port (default 8080; 0 picks a free one)")
      ->check(CLI::Range(0, 65535));
  serve_cmd->add_option("--web", serve.web, "The dashboard's built files (default web/dist)");
  serve_cmd->add_option("--threads", serve.threads, "Request threads (default 32)")
      ->check(CLI::Range(2, 1024));
  serve_cmd->add_flag("--no-index", serve.no_index,
                      "Answer customer lookups from the workspace, not the in-memory index");

  TokenFlags token;
  CLI::App* token_cmd = app.add_subcommand("token", "API tokens: create, list, revoke");
  token_cmd->add_option("action", token.action, "create, list or revoke")
      ->required()
      ->check(CLI::IsMember({"create", "list", "revoke"}));
  token_cmd->add_option("id", token.id, "revoke: the token id (from token list)");
  token_cmd->add_option("--role", token.role, "create: admin, analyst or viewer");
  token_cmd->add_option("--name", token.name, "create: what the token is for");
  token_cmd->add_option("--expires-days", token.expires_days, "create: expire after N days")
      ->check(CLI::Range(1, 36500));

  std::vector<Verb> verbs;
  for (auto* add : {AddExportVerb, AddWebhooksVerb, AddExperimentVerb, AddKpisVerb}) {
    add(app, global, verbs);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? 0 : 2;  // usage errors are exit code 2
  }
  Output out{global.json, !global.json && isatty(STDERR_FILENO) == 1};
  if (init_cmd->parsed()) return RunInit(global, init, out);
  if (serve_cmd->parsed()) return RunServe(global, serve, out);
  if (token_cmd->parsed()) {
    if (token.action == "create" && token.role.empty()) {
      std::cerr << "error: token create needs --role admin|analyst|viewer\n";
      return 2;
    }
    if (token.action == "revoke" && token.id.empty()) {
      std::cerr << "error: token revoke needs the token id (segmenta token list shows them)\n";
      return 2;
    }
    return RunToken(global, token, out);
  }
  if (ingest_cmd->parsed()) return RunIngest(global, ingest, out);
  if (features_cmd->parsed()) return RunFeatures(global, features, out);
  if (quarantine_cmd->parsed()) return RunQuarantine(global, quarantine, out);
  if (run_cmd->parsed()) return RunRun(global, run, out);
  if (customer_cmd->parsed()) return RunCustomer(global, customer, out);
  if (show_cmd->parsed()) return RunShow(global, show, out);
  if (preview_cmd->parsed()) return RunPreview(global, preview, out);
  if (forget_cmd->parsed()) return RunForget(global, forget, out);
  if (report_cmd->parsed()) return RunHtmlReport(global, report, out);
  if (value_cmd->parsed()) return RunValue(global, value, out);
  if (segments_cmd->parsed()) return RunSegments(global, segments, out);
  if (members_cmd->parsed()) return RunMembers(global, members, out);
  if (compare_cmd->parsed()) return RunCompare(global, compare, out);
  for (const Verb& verb : verbs) {
    if (verb.command->parsed()) return verb.run(out);
  }
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // Expected failures travel as Status; anything thrown (out of memory, a failed write
  // to the terminal) is still reported, not a crash.
  try {
    return Run(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "error: internal: " << error.what() << "\n";
  } catch (...) {
    std::cerr << "error: internal: unknown exception\n";
  }
  return 1;
}

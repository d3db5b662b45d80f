// The verbs of the segmenta CLI. Each returns the process exit code:
// 0 ok, 1 failure, 2 usage or configuration error, 3 data rejected.
#ifndef SEGMENTA_APPS_COMMANDS_H_
#define SEGMENTA_APPS_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "output.h"
#include "segmenta/project.h"
#include "segmenta/workspace.h"

namespace segmenta::cli {

struct GlobalFlags;

// The project and its workspace, opened for a verb; `failed` is the exit code of a
// failure (already printed), 0 when both opened.
struct Opened {
  Result<Project> project = Status::Internal("not opened");
  std::optional<Workspace> workspace;
  int failed = 0;
};
Opened Open(const GlobalFlags& global, const Output& out);

struct GlobalFlags {
  std::string project_dir = ".";
  bool json = false;
};

struct InitFlags {
  std::string dir;
  int64_t demo_customers = 0;
  uint64_t seed = 42;
  bool dirty = false;
};

struct IngestFlags {
  std::vector<std::string> only;
  bool accept_rejects = false;
};

struct FeaturesFlags {
  std::string as_of;
  std::string out;
  bool list = false;
};

struct QuarantineFlags {
  std::string source;
  std::string reason;
  int64_t limit = 50;
};

struct RunFlags {
  std::string as_of;
};

struct SegmentsFlags {
  int64_t snapshot = 0;  // 0: the latest
};

struct MembersFlags {
  std::string segmentation;
  std::string segment;
  std::string at;
  std::string out;
  int64_t limit = 0;
};

struct CompareFlags {
  std::vector<int64_t> snapshots;  // none, or A and B
};

struct CustomerFlags {
  std::string id;
};
struct ShowFlags {
  std::string segmentation;
  std::string segment;
};
struct PreviewFlags {
  std::string rule;
  int sample = 10;
};

struct ValueFlags {
  std::string action;   // fit | predict | diagnose
  std::string summary;  // a summary CSV instead of the workspace
  std::string as_of;
  std::string model;
  std::string unit;
  double penalty = -1;  // < 0: the project's
  double horizon_days = 90;
  std::string customer;
  std::string out;
  int64_t limit = 0;
  int holdout_days = 90;
};
int RunValue(const GlobalFlags& global, const ValueFlags& flags, const Output& out);

struct ReportFlags {
  std::string out = "report.html";
};
int RunHtmlReport(const GlobalFlags& global, const ReportFlags& flags, const Output& out);

struct ServeFlags {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string web;  // the dashboard's files; default: the build's web/dist
  int threads = 32;
  bool no_index = false;  // answer customer lookups from the workspace (for comparison)
};
int RunServe(const GlobalFlags& global, const ServeFlags& flags, const Output& out);

struct TokenFlags {
  std::string action;  // create | list | revoke
  std::string role;
  std::string name;
  int expires_days = 0;
  std::string id;
};
int RunToken(const GlobalFlags& global, const TokenFlags& flags, const Output& out);

int RunCustomer(const GlobalFlags& global, const CustomerFlags& flags, const Output& out);
int RunShow(const GlobalFlags& global, const ShowFlags& flags, const Output& out);
int RunPreview(const GlobalFlags& global, const PreviewFlags& flags, const Output& out);
int RunForget(const GlobalFlags& global, const CustomerFlags& flags, const Output& out);

int RunRun(const GlobalFlags& global, const RunFlags& flags, const Output& out);
int RunSegments(const GlobalFlags& global, const SegmentsFlags& flags, const Output& out);
int RunMembers(const GlobalFlags& global, const MembersFlags& flags, const Output& out);
int RunCompare(const GlobalFlags& global, const CompareFlags& flags, const Output& out);

// A verb that registers itself: its subcommand (flags bound to storage its Add
// function owns) and what runs when it was given. main.cc calls each Add… once.
struct Verb {
  CLI::App* command = nullptr;
  std::function<int(const Output&)> run;
};
void AddExportVerb(CLI::App& app, const GlobalFlags& global, std::vector<Verb>& verbs);
void AddWebhooksVerb(CLI::App& app, const GlobalFlags& global, std::vector<Verb>& verbs);
void AddExperimentVerb(CLI::App& app, const GlobalFlags& global, std::vector<Verb>& verbs);
void AddKpisVerb(CLI::App& app, const GlobalFlags& global, std::vector<Verb>& verbs);

int RunInit(const GlobalFlags& global, const InitFlags& flags, const Output& out);
int RunIngest(const GlobalFlags& global, const IngestFlags& flags, const Output& out);
int RunFeatures(const GlobalFlags& global, const FeaturesFlags& flags, const Output& out);
int RunQuarantine(const GlobalFlags& global, const QuarantineFlags& flags, const Output& out);

}  // namespace segmenta::cli

#endif  // SEGMENTA_APPS_COMMANDS_H_

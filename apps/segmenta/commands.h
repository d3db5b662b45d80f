// The verbs of the segmenta CLI. Each returns the process exit code:
// 0 ok, 1 failure, 2 usage or configuration error, 3 data rejected.
#ifndef SEGMENTA_APPS_COMMANDS_H_
#define SEGMENTA_APPS_COMMANDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "output.h"

namespace segmenta::cli {

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

int RunInit(const GlobalFlags& global, const InitFlags& flags, const Output& out);
int RunIngest(const GlobalFlags& global, const IngestFlags& flags, const Output& out);
int RunFeatures(const GlobalFlags& global, const FeaturesFlags& flags, const Output& out);
int RunQuarantine(const GlobalFlags& global, const QuarantineFlags& flags, const Output& out);

}  // namespace segmenta::cli

#endif  // SEGMENTA_APPS_COMMANDS_H_

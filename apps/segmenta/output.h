// How the CLI talks: text tables for people, JSON with --json, a progress bar on
// stderr when it is a terminal, and Status → exit code.
#ifndef SEGMENTA_APPS_OUTPUT_H_
#define SEGMENTA_APPS_OUTPUT_H_

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "segmenta/status.h"

namespace segmenta::cli {

struct Output {
  bool json = false;
  bool progress = false;  // stderr is a terminal and not --json
};

// Prints the error (text or JSON) and returns its exit code.
int Fail(const Output& out, const Status& status);

// Prints `doc` as JSON on stdout.
void PrintJson(const nlohmann::json& doc);

// 1234567 → "1,234,567".
std::string Thousands(int64_t value);

// A left-aligned first column, right-aligned others.
void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

// "\r  label [#####.....]  45%" on stderr; Done() clears the line. A fraction < 0
// (share unknown) shows a moving marker and the seconds since the label appeared.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled) {}
  void Update(const std::string& label, double fraction);
  void Done();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::string label_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace segmenta::cli

#endif  // SEGMENTA_APPS_OUTPUT_H_

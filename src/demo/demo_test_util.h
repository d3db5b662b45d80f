// Helpers shared by the demo generator's tests: reading files back, simple CSV
// splitting, UTF-8 and timestamp checks, and a self-cleaning demo project.
#ifndef SEGMENTA_DEMO_DEMO_TEST_UTIL_H_
#define SEGMENTA_DEMO_DEMO_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "segmenta/demo.h"

namespace segmenta::demo_test {

inline constexpr int64_t kTestCustomers = 2000;

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Physical lines without their '\n'; lines[0] is line 1 (the header).
inline std::vector<std::string> ReadLines(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  std::istringstream in(ReadFile(path));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Fields of a line that holds no quotes.
inline std::vector<std::string> SplitCommas(const std::string& line) {
  std::vector<std::string> fields(1);
  for (char ch : line) {
    if (ch == ',') {
      fields.emplace_back();
    } else {
      fields.back() += ch;
    }
  }
  return fields;
}

// RFC 4180 fields of one line (a quoted field may hold commas).
inline std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (char ch : line) {
    if (ch == '"') {
      quoted = !quoted;
    } else if (ch == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += ch;
    }
  }
  return fields;
}

inline bool IsValidUtf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    size_t extra = 0;
    if (lead >= 0xC2 && lead < 0xE0) {
      extra = 1;
    } else if (lead >= 0xE0 && lead < 0xF0) {
      extra = 2;
    } else if (lead >= 0xF0 && lead < 0xF5) {
      extra = 3;
    } else if (lead >= 0x80) {
      return false;
    }
    if (pos + extra >= text.size() && extra > 0) return false;
    for (size_t byte_idx = 1; byte_idx <= extra; ++byte_idx) {
      if ((static_cast<unsigned char>(text[pos + byte_idx]) & 0xC0) != 0x80) return false;
    }
    pos += extra + 1;
  }
  return true;
}

// "YYYY-MM-DD HH:MM:SS" inside the demo window, and a real calendar date and time.
inline bool IsWindowTimestamp(const std::string& ts) {
  if (ts.size() != 19 || ts[4] != '-' || ts[7] != '-' || ts[10] != ' ' || ts[13] != ':' ||
      ts[16] != ':') {
    return false;
  }
  const auto number = [&](size_t pos) {
    int value = -1;
    std::from_chars(ts.data() + pos, ts.data() + pos + 2, value);
    return value;
  };
  constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int month = number(5);
  if (month < 1 || month > 12 || number(8) < 1 || number(8) > kDaysInMonth[month - 1]) {
    return false;
  }
  if (number(11) < 0 || number(11) > 23 || number(14) < 0 || number(14) > 59 || number(17) < 0 ||
      number(17) > 59) {
    return false;
  }
  return ts >= "2024-11-01 00:00:00" && ts <= "2026-10-31 23:59:59";
}

inline bool IsNumber(const std::string& text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

inline std::filesystem::path TestDir(const std::string& name) {
  return std::filesystem::path(::testing::TempDir()) /
         ("segmenta_demo_" + std::to_string(getpid()) + "_" + name);
}

inline DemoOptions SmallOptions(bool dirty = false) {
  DemoOptions options;
  options.customers = kTestCustomers;
  options.dirty = dirty;
  return options;
}

// Writes a demo project into a fresh directory and removes it when destroyed.
class DemoProject {
 public:
  DemoProject(const std::string& name, const DemoOptions& options) : dir_(TestDir(name)) {
    std::filesystem::remove_all(dir_);
    Result<DemoSummary> result = WriteDemoProject(options, dir_);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (result.ok()) summary_ = *result;
  }
  ~DemoProject() { std::filesystem::remove_all(dir_); }
  DemoProject(const DemoProject&) = delete;
  DemoProject& operator=(const DemoProject&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  const DemoSummary& summary() const { return summary_; }
  std::vector<std::string> Lines(const std::string& data_file) const {
    return ReadLines(dir_ / "data" / data_file);
  }

 private:
  std::filesystem::path dir_;
  DemoSummary summary_;
};

}  // namespace segmenta::demo_test

#endif  // SEGMENTA_DEMO_DEMO_TEST_UTIL_H_

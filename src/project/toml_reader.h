// Generic reading of TOML tables for the project file: TableReader reads typed keys,
// writes errors that name the file, line and key, and reports unknown keys with the
// closest valid one (ClosestMatch, declared in segmenta/project.h, is defined in
// toml_reader.cc). project.cc holds what is specific to segmenta.toml.
#ifndef SEGMENTA_PROJECT_TOML_READER_H_
#define SEGMENTA_PROJECT_TOML_READER_H_

// Header-only toml++ with TOML 1.1's newlines inside inline tables.
#define TOML_HEADER_ONLY 1
#define TOML_ENABLE_UNRELEASED_FEATURES 1
#include <toml++/toml.h>

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "segmenta/status.h"

namespace segmenta::project_internal {

// A number for messages: "%g".
std::string FormatNumber(double value);

// 'a', 'b', 'c': the words quoted and joined for error messages.
std::string JoinQuoted(const std::vector<std::string>& words);

// Reads one table of the project file, remembering which keys were used so that
// the rest can be reported as unknown with the closest valid key.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string path, const std::filesystem::path& file)
      : table_(table), path_(std::move(path)), file_(file) {}

  int line() const { return static_cast<int>(table_.source().begin.line); }
  const std::filesystem::path& file() const { return file_; }

  // "file:line: key 'path.key': message", at `node`'s line (the table's when null).
  Status Error(const toml::node* node, std::string_view key, std::string_view message) const;

  // Each reader marks `key` as used and leaves `out` as it is when the key is absent.
  Status String(std::string_view key, std::string& out);
  // A string that must be given and not be empty.
  Status Required(std::string_view key, std::string& out, std::string_view example);
  Status Integer(std::string_view key, int& out, int min, int max);
  // A number (integer or float) in [min, max]; the error shows `example`.
  Status Number(std::string_view key, double& out, double min, double max,
                std::string_view example);
  Status Bool(std::string_view key, bool& out);
  Status OptionalBool(std::string_view key, std::optional<bool>& out);
  // One character ("\t" or "tab" for a tab); "" gives '\0' when `allow_empty`.
  Status Char(std::string_view key, std::optional<char>& out, bool allow_empty);
  // A string that must be one of `valid`.
  Status Choice(std::string_view key, std::string& out, const std::vector<std::string>& valid);
  Status StringList(std::string_view key, std::vector<std::string>& out);
  // The node at `key`, or nullptr.
  const toml::node* Node(std::string_view key);

  // Reports the first key that no reader asked for.
  Status CheckNoUnknownKeys() const;

 private:
  const toml::table& table_;
  std::string path_;
  const std::filesystem::path& file_;
  std::set<std::string> used_;
};

}  // namespace segmenta::project_internal

#endif  // SEGMENTA_PROJECT_TOML_READER_H_

#include "project/toml_reader.h"

#include <algorithm>
#include <cstdio>

#include "segmenta/project.h"

namespace segmenta {
namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
  for (size_t col = 0; col <= b.size(); ++col) previous[col] = col;
  for (size_t row = 1; row <= a.size(); ++row) {
    current[0] = row;
    for (size_t col = 1; col <= b.size(); ++col) {
      size_t substitution = previous[col - 1] + (a[row - 1] == b[col - 1] ? 0 : 1);
      current[col] = std::min({previous[col] + 1, current[col - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

}  // namespace

std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    size_t distance = EditDistance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

namespace project_internal {

std::string JoinQuoted(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) out += (out.empty() ? "'" : ", '") + word + "'";
  return out;
}

Status TableReader::Error(const toml::node* node, std::string_view key,
                          std::string_view message) const {
  int at = node ? static_cast<int>(node->source().begin.line) : line();
  std::string where = file_.string() + ":" + std::to_string(at) + ": ";
  std::string what = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  return Status::InvalidArgument(where + "key '" + what + "': " + std::string(message));
}

Status TableReader::String(std::string_view key, std::string& out) {
  used_.insert(std::string(key));
  const toml::node* node = table_.get(key);
  if (!node) return Status::Ok();
  if (const auto* text = node->as_string()) {
    out = text->get();
    return Status::Ok();
  }
  return Error(node, key, "expected a string in quotes, e.g. " + std::string(key) + " = \"...\"");
}

Status TableReader::Required(std::string_view key, std::string& out, std::string_view example) {
  SEG_RETURN_IF_ERROR(String(key, out));
  if (!out.empty()) return Status::Ok();
  return Error(nullptr, key,
               "is required; add e.g. " + std::string(key) + " = \"" + std::string(example) + "\"");
}

Status TableReader::Integer(std::string_view key, int& out, int min, int max) {
  used_.insert(std::string(key));
  const toml::node* node = table_.get(key);
  if (!node) return Status::Ok();
  const auto* number = node->as_integer();
  if (!number || number->get() < min || number->get() > max) {
    return Error(
        node, key,
        "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  out = static_cast<int>(number->get());
  return Status::Ok();
}

Status TableReader::Number(std::string_view key, double& out, double min, double max,
                           std::string_view example) {
  const toml::node* node = Node(key);
  if (!node) return Status::Ok();
  std::optional<double> value = node->value<double>();
  if (!value || !(*value >= min && *value <= max)) {
    return Error(node, key,
                 "expected a number from " + FormatNumber(min) + " to " + FormatNumber(max) +
                     ", e.g. " + std::string(example));
  }
  out = *value;
  return Status::Ok();
}

std::string FormatNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

Status TableReader::Bool(std::string_view key, bool& out) {
  used_.insert(std::string(key));
  const toml::node* node = table_.get(key);
  if (!node) return Status::Ok();
  if (const auto* flag = node->as_boolean()) {
    out = flag->get();
    return Status::Ok();
  }
  return Error(node, key, "expected true or false (without quotes)");
}

Status TableReader::OptionalBool(std::string_view key, std::optional<bool>& out) {
  if (!table_.get(key)) {
    used_.insert(std::string(key));
    return Status::Ok();
  }
  bool value = false;
  SEG_RETURN_IF_ERROR(Bool(key, value));
  out = value;
  return Status::Ok();
}

Status TableReader::Char(std::string_view key, std::optional<char>& out, bool allow_empty) {
  std::string text;
  bool present = table_.get(key) != nullptr;
  SEG_RETURN_IF_ERROR(String(key, text));
  if (!present) return Status::Ok();
  if (text == "\\t" || text == "tab") text = "\t";
  if (text.empty() && allow_empty) {
    out = '\0';
    return Status::Ok();
  }
  if (text.size() != 1) {
    return Error(table_.get(key), key,
                 "expected one character, e.g. \",\", \";\", \"|\" or \"\\t\"");
  }
  out = text[0];
  return Status::Ok();
}

Status TableReader::Choice(std::string_view key, std::string& out,
                           const std::vector<std::string>& valid) {
  SEG_RETURN_IF_ERROR(String(key, out));
  if (out.empty() || std::find(valid.begin(), valid.end(), out) != valid.end()) {
    return Status::Ok();
  }
  std::string hint = ClosestMatch(out, valid);
  return Error(table_.get(key), key,
               "'" + out + "' is not valid; use one of " + JoinQuoted(valid) +
                   (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
}

Status TableReader::StringList(std::string_view key, std::vector<std::string>& out) {
  used_.insert(std::string(key));
  const toml::node* node = table_.get(key);
  if (!node) return Status::Ok();
  const auto* array = node->as_array();
  if (!array) return Error(node, key, "expected a list of strings, e.g. [\"a\", \"b\"]");
  for (const toml::node& item : *array) {
    const auto* text = item.as_string();
    if (!text) return Error(&item, key, "expected a list of strings, e.g. [\"a\", \"b\"]");
    out.push_back(text->get());
  }
  return Status::Ok();
}

const toml::node* TableReader::Node(std::string_view key) {
  used_.insert(std::string(key));
  return table_.get(key);
}

Status TableReader::CheckNoUnknownKeys() const {
  std::vector<std::string> valid(used_.begin(), used_.end());
  for (const auto& [key, node] : table_) {
    std::string name(key.str());
    if (used_.count(name)) continue;
    std::string hint = ClosestMatch(name, valid);
    return Error(&node, name,
                 "unknown key" + (hint.empty() ? "; valid keys here: " + JoinQuoted(valid)
                                               : "; did you mean '" + hint + "'?"));
  }
  return Status::Ok();
}

}  // namespace project_internal
}  // namespace segmenta

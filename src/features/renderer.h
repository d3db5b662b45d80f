// Renders the feature definition templates (syntax in definitions.h) into SQL through
// the engine's Dialect, for features.cc.
#ifndef SEGMENTA_FEATURES_RENDERER_H_
#define SEGMENTA_FEATURES_RENDERER_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "engine/dialect.h"
#include "segmenta/status.h"

namespace segmenta::features {

// One expansion of a definition row: its index in a top-N list and the value as an SQL
// literal; index -1 for rows that do not repeat.
struct Binding {
  int index = -1;
  std::string value;
};

// Renders definition templates (syntax in definitions.h) through a dialect.
class Renderer {
 public:
  Renderer(const Dialect& sql, std::string as_of_literal)
      : sql_(sql), as_of_(std::move(as_of_literal)) {}

  const Dialect& sql() const { return sql_; }
  std::string Id(std::string_view name) const { return sql_.QuoteIdentifier(name); }
  void SetParam(std::string name, std::string fragment) {
    params_[std::move(name)] = std::move(fragment);
  }

  Result<std::string> Render(std::string_view text, const Binding& binding = {}) const;

 private:
  Result<std::string> Expand(std::string_view token, const Binding& binding) const;
  Result<std::string> Param(std::string_view name, const Binding& binding) const;
  Result<std::string> Identifier(std::string_view name, const Binding& binding) const;
  Result<std::string> Helper(std::string_view call, const Binding& binding) const;

  const Dialect& sql_;
  std::string as_of_;
  std::map<std::string, std::string, std::less<>> params_;
};

}  // namespace segmenta::features

#endif  // SEGMENTA_FEATURES_RENDERER_H_

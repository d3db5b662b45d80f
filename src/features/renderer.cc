#include "features/renderer.h"

#include <algorithm>
#include <vector>

namespace segmenta::features {

Result<std::string> Renderer::Render(std::string_view text, const Binding& binding) const {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find('{', pos);
    if (open == std::string_view::npos) break;
    size_t close = text.find('}', open);
    if (close == std::string_view::npos) {
      return Status::Internal("unclosed '{' in feature template: " + std::string(text));
    }
    out.append(text.substr(pos, open - pos));
    SEG_ASSIGN_OR_RETURN(std::string piece,
                         Expand(text.substr(open + 1, close - open - 1), binding));
    out += piece;
    pos = close + 1;
  }
  if (pos < text.size()) out.append(text.substr(pos));
  return out;
}

Result<std::string> Renderer::Expand(std::string_view token, const Binding& binding) const {
  if (token.starts_with(':')) return Param(token.substr(1), binding);
  if (token.find('(') != std::string_view::npos) return Helper(token, binding);
  return Identifier(token, binding);
}

Result<std::string> Renderer::Param(std::string_view name, const Binding& binding) const {
  if (name == "value" && binding.index >= 0) return binding.value;
  auto found = params_.find(name);
  if (found == params_.end()) {
    return Status::Internal("unknown feature template parameter :" + std::string(name));
  }
  return found->second;
}

Result<std::string> Renderer::Identifier(std::string_view name, const Binding& binding) const {
  std::string text(name);
  size_t hash = text.find('#');
  if (hash == std::string::npos) return Id(text);
  if (binding.index < 0) {
    return Status::Internal("'#' in a feature template row that does not repeat: " + text);
  }
  return Id(text.replace(hash, 1, std::to_string(binding.index)));
}

// {fn(a, b)}: a dialect helper over identifiers.
Result<std::string> Renderer::Helper(std::string_view call, const Binding& binding) const {
  size_t open = call.find('(');
  std::string_view name = call.substr(0, open);
  std::vector<std::string> args;
  std::string_view rest = call.substr(open + 1, call.rfind(')') - open - 1);
  while (!rest.empty()) {
    size_t comma = std::min(rest.find(','), rest.size());
    std::string_view arg = rest.substr(0, comma);
    while (arg.starts_with(' ')) arg.remove_prefix(1);
    while (arg.ends_with(' ')) arg.remove_suffix(1);
    SEG_ASSIGN_OR_RETURN(std::string id, Identifier(arg, binding));
    args.push_back(std::move(id));
    rest.remove_prefix(std::min(comma + 1, rest.size()));
  }
  if (args.size() == 1 && name == "days_to_as_of") return sql_.DaysBetween(args[0], as_of_);
  if (args.size() == 2 && name == "arg_min") return sql_.ArgMin(args[0], args[1]);
  if (args.size() == 2 && name == "arg_max_smallest_on_ties") {
    return sql_.ArgMaxSmallestOnTies(args[0], args[1]);
  }
  return Status::Internal("unknown feature template helper " + std::string(call));
}

}  // namespace segmenta::features

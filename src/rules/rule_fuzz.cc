// libFuzzer target: compiles arbitrary bytes as a rule against a fixed schema. Every
// input must give either a CompiledRule or an InvalidArgument, never a crash, a leak or
// an out-of-bounds access (AddressSanitizer).
//
//   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DSEGMENTA_FUZZ=ON
//   cmake --build build-fuzz --target rule_fuzz -j2
//   mkdir -p build-fuzz/rule_corpus
//   build-fuzz/rule_fuzz build-fuzz/rule_corpus -max_total_time=30 -max_len=512 \
//       -dict=src/rules/rule_fuzz.dict
//
// A crash leaves crash-<hash> in the working directory; replay it with
// `build-fuzz/rule_fuzz crash-<hash>` and add the input to RuleTest's regressions.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/dialect.h"
#include "rules/rule.h"

namespace {

const segmenta::rules::RuleSchema& Schema() {
  using segmenta::rules::ValueType;
  static const segmenta::rules::RuleSchema schema{
      .columns = {{"recency_days", ValueType::kNumber, "f.\"recency_days\""},
                  {"frequency", ValueType::kNumber, "f.\"frequency\""},
                  {"country", ValueType::kText, "f.\"country\""},
                  {"signup_date", ValueType::kDate, "f.\"signup_date\""},
                  {"vip", ValueType::kBool, "f.\"vip\""},
                  {"interests", ValueType::kList, "f.\"interests\""}},
      .customer_id_sql = "f.\"customer_id\"",
      .as_of_sql = "DATE '2026-11-01'",
      .event_types = {"purchase", "refund", "visit", "email_click"},
      .segments = {{"rfm", "Champions"}, {"rfm", "At Risk"}, {"lifecycle", "active"}},
  };
  return schema;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rule = segmenta::rules::CompileRule(text, Schema(), segmenta::DuckDbDialect(), 1);
  if (rule.ok()) {
    if (rule->sql.empty() || rule->clauses.empty()) std::abort();
    return 0;
  }
  // Every error is InvalidArgument and carries the rule's line and a caret line.
  const segmenta::Status& status = rule.status();
  if (status.code() != segmenta::StatusCode::kInvalidArgument) std::abort();
  if (status.message().find("\n  ") == std::string::npos) std::abort();
  if (status.message().find('^') == std::string::npos) std::abort();
  return 0;
}

#include "ingest/expression.h"

#include <gtest/gtest.h>

namespace segmenta::ingest {
namespace {

const std::vector<std::string> kColumns = {"Quantity", "UnitPrice", "Country", "weird \"name"};

Result<CompiledExpression> Compile(std::string_view text) {
  return CompileExpression(text, kColumns, DuckDbDialect());
}

TEST(ExpressionTest, ArithmeticCastsColumnsToNumbers) {
  Result<CompiledExpression> e = Compile("Quantity * UnitPrice");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->sql, "(TRY_CAST(\"Quantity\" AS DOUBLE) * TRY_CAST(\"UnitPrice\" AS DOUBLE))");
  EXPECT_EQ(e->type, ExpressionType::kNumber);
  EXPECT_EQ(e->columns, (std::vector<std::string>{"Quantity", "UnitPrice"}));
  EXPECT_FALSE(e->is_column);
  EXPECT_TRUE(Compile("quantity")->is_column);  // case-insensitive fallback
  EXPECT_EQ(Compile("quantity")->sql, "\"Quantity\"");
}

TEST(ExpressionTest, ConditionsQuoteNamesAndEscapeLiterals) {
  Result<CompiledExpression> e =
      Compile("Country <> 'O''Neil' and not (Quantity <= 0) or \"weird \"\"name\" is null");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->type, ExpressionType::kBool);
  EXPECT_EQ(e->sql,
            "(((\"Country\" <> 'O''Neil') AND (NOT (TRY_CAST(\"Quantity\" AS DOUBLE) <= CAST(0 AS "
            "DOUBLE)))) OR (\"weird \"\"name\" IS NULL))");
  EXPECT_EQ(Compile("Country in ('RO', 'BG')")->sql, "(\"Country\" IN ('RO', 'BG'))");
  EXPECT_EQ(Compile("UnitPrice / Quantity")->sql,
            "(TRY_CAST(\"UnitPrice\" AS DOUBLE) / NULLIF(TRY_CAST(\"Quantity\" AS DOUBLE), 0))");
}

TEST(ExpressionTest, ErrorsPointAtTheProblem) {
  EXPECT_EQ(Compile("Quantiy * 2").status().message(),
            "at character 1: unknown column 'Quantiy'; did you mean 'Quantity'?");
  EXPECT_EQ(Compile("Quantity *").status().message(),
            "at character 11: the expression ends too early");
  EXPECT_EQ(Compile("'open").status().message(), "at character 1: unclosed '");
  EXPECT_EQ(Compile("Quantity; DROP TABLE x").status().message(), "at character 9: unexpected ';'");
  EXPECT_FALSE(Compile("").ok());
}

}  // namespace
}  // namespace segmenta::ingest

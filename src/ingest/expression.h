// Mapping and filter expressions of the project file, compiled to SQL over a source's
// columns: `amount = "Quantity * UnitPrice"`, `filter = "Country <> 'Unsold' and Qty > 0"`.
//
// A hand-written parser (numbers, 'strings', column names or "quoted names", + - * /,
// comparisons, in (...), is [not] null, and/or/not, parentheses) builds the SQL, so a
// project file can never inject SQL: names are quoted, literals escaped. Arithmetic
// and comparisons with numbers read columns as numbers (NULL when not numeric).
//
//   SEG_ASSIGN_OR_RETURN(CompiledExpression e,
//                        CompileExpression("Quantity * UnitPrice", columns, dialect));
//   // e.sql == TRY_CAST("Quantity" AS DOUBLE) * TRY_CAST("UnitPrice" AS DOUBLE)
#ifndef SEGMENTA_INGEST_EXPRESSION_H_
#define SEGMENTA_INGEST_EXPRESSION_H_

#include <string>
#include <string_view>
#include <vector>

#include "engine/dialect.h"
#include "segmenta/status.h"

namespace segmenta::ingest {

enum class ExpressionType { kNumber, kText, kBool };

struct CompiledExpression {
  std::string sql;
  ExpressionType type = ExpressionType::kText;
  std::vector<std::string> columns;  // source columns it reads, in order of appearance
  bool is_column = false;            // the expression is one bare column
};

// Errors are InvalidArgument with the position and, for an unknown column, the
// closest known one.
Result<CompiledExpression> CompileExpression(std::string_view text,
                                             const std::vector<std::string>& columns,
                                             const Dialect& dialect);

// The expression as SQL of the wanted type (numbers cast when text, etc.).
std::string AsNumber(const CompiledExpression& expression, const Dialect& dialect);

}  // namespace segmenta::ingest

#endif  // SEGMENTA_INGEST_EXPRESSION_H_

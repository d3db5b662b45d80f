// sqlrun: runs the statements of SQL files against a DuckDB database and prints the
// wall time of each statement and of the whole run. A baseline for bench/run.sh: what a
// user with DuckDB and a hand-written query would do, without Segmenta.
//
//   sqlrun DB FILE.sql [FILE2.sql ...] [NAME=VALUE ...]
//
// DB is a database file (created if missing) or ":memory:". Every `{{NAME}}` in the files
// is replaced by VALUE before they run (paths, table names, ...). Statements run in
// order, file after file, on one connection; the first error stops the run with exit
// code 1. The rows of the last statement, if any, are printed (at most 20) so a query
// can be checked by eye. (DuckDB may split one statement in two: a dynamic PIVOT first
// runs a query for its column names.)
//
// Built by bench/run.sh:
//   g++ -std=c++20 -O2 -I third_party/duckdb/include bench/sqlrun.cc
//       -L third_party/duckdb/lib -lduckdb -Wl,-rpath,$PWD/third_party/duckdb/lib
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "duckdb.h"

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool ReadFile(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  text = buffer.str();
  return true;
}

// Replaces every {{NAME}} by its value; returns false (naming it) if one is left.
bool Substitute(std::string& sql, const std::vector<std::pair<std::string, std::string>>& vars) {
  for (const auto& [name, value] : vars) {
    const std::string key = "{{" + name + "}}";
    for (size_t pos = sql.find(key); pos != std::string::npos; pos = sql.find(key, pos)) {
      sql.replace(pos, key.size(), value);
      pos += value.size();
    }
  }
  size_t left = sql.find("{{");
  if (left == std::string::npos) return true;
  std::cerr << "sqlrun: no value for " << sql.substr(left, sql.find("}}", left) + 2 - left) << "\n";
  return false;
}

void PrintRows(duckdb_result& result) {
  idx_t columns = duckdb_column_count(&result);
  if (columns == 0) return;
  for (idx_t col = 0; col < columns; ++col) {
    std::cout << (col ? "\t" : "") << duckdb_column_name(&result, col);
  }
  std::cout << "\n";
  idx_t rows = duckdb_row_count(&result);
  for (idx_t row = 0; row < rows && row < 20; ++row) {
    for (idx_t col = 0; col < columns; ++col) {
      char* value = duckdb_value_varchar(&result, col, row);
      std::cout << (col ? "\t" : "") << (value ? value : "NULL");
      duckdb_free(value);
    }
    std::cout << "\n";
  }
}

struct DatabaseCloser {
  void operator()(duckdb_database* db) const {
    duckdb_close(db);
    delete db;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: sqlrun DB FILE.sql [FILE2.sql ...] [NAME=VALUE ...]\n";
    return 2;
  }
  std::vector<std::pair<std::string, std::string>> vars;
  std::vector<std::string> files;
  for (int arg = 2; arg < argc; ++arg) {
    std::string text = argv[arg];
    size_t eq = text.find('=');
    if (eq == std::string::npos) {
      files.push_back(text);
    } else {
      vars.emplace_back(text.substr(0, eq), text.substr(eq + 1));
    }
  }
  std::string sql;
  for (const std::string& file : files) {
    std::string text;
    if (!ReadFile(file, text)) {
      std::cerr << "sqlrun: cannot read " << file << "\n";
      return 2;
    }
    sql += text + "\n;\n";
  }
  if (!Substitute(sql, vars)) return 2;

  const Clock::time_point start = Clock::now();
  std::unique_ptr<duckdb_database, DatabaseCloser> db(new duckdb_database(nullptr));
  std::string db_path = argv[1];
  if (duckdb_open(db_path == ":memory:" ? nullptr : db_path.c_str(), db.get()) == DuckDBError) {
    std::cerr << "sqlrun: cannot open " << db_path << "\n";
    return 1;
  }
  duckdb_connection conn = nullptr;
  duckdb_connect(*db, &conn);

  duckdb_extracted_statements statements = nullptr;
  idx_t count = duckdb_extract_statements(conn, sql.c_str(), &statements);
  if (count == 0) {
    std::cerr << "sqlrun: " << duckdb_extract_statements_error(statements) << "\n";
    duckdb_destroy_extracted(&statements);
    duckdb_disconnect(&conn);
    return 1;
  }
  int rc = 0;
  for (idx_t stmt_idx = 0; stmt_idx < count && rc == 0; ++stmt_idx) {
    const Clock::time_point stmt_start = Clock::now();
    duckdb_prepared_statement prepared = nullptr;
    duckdb_result result;
    bool ok =
        duckdb_prepare_extracted_statement(conn, statements, stmt_idx, &prepared) == DuckDBSuccess;
    if (!ok) {
      std::cerr << "sqlrun: statement " << stmt_idx + 1 << ": " << duckdb_prepare_error(prepared)
                << "\n";
      rc = 1;
    } else if (duckdb_execute_prepared(prepared, &result) == DuckDBError) {
      std::cerr << "sqlrun: statement " << stmt_idx + 1 << ": " << duckdb_result_error(&result)
                << "\n";
      duckdb_destroy_result(&result);
      rc = 1;
    } else {
      std::fprintf(stderr, "sqlrun: %7.3f s  statement %llu of %llu\n", SecondsSince(stmt_start),
                   static_cast<unsigned long long>(stmt_idx + 1),
                   static_cast<unsigned long long>(count));
      if (stmt_idx + 1 == count) PrintRows(result);
      duckdb_destroy_result(&result);
    }
    duckdb_destroy_prepare(&prepared);
  }
  duckdb_destroy_extracted(&statements);
  duckdb_disconnect(&conn);
  db.reset();
  std::fprintf(stderr, "sqlrun: %7.3f s  total\n", SecondsSince(start));
  return rc;
}

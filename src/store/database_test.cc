#include "store/database.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "segmenta/workspace.h"

namespace segmenta::store {
namespace {

TEST(DatabaseTest, QueriesWithParametersAndTypes) {
  Result<Database> db = Database::Open("");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Connection& conn = db->connection();
  ASSERT_TRUE(conn.Execute("CREATE TABLE t(a BIGINT, b DOUBLE, c VARCHAR, d BOOLEAN)").ok());
  ASSERT_TRUE(conn.Execute("INSERT INTO t VALUES ($1, $2, $3, $4)",
                           {int64_t{7}, 2.5, std::string("it's"), true})
                  .ok());
  Result<Rows> rows = conn.Query("SELECT a, b, c, d, NULL AS e FROM t");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(std::get<int64_t>(rows->rows[0][0]), 7);
  EXPECT_DOUBLE_EQ(std::get<double>(rows->rows[0][1]), 2.5);
  EXPECT_EQ(std::get<std::string>(rows->rows[0][2]), "it's");
  EXPECT_TRUE(std::get<bool>(rows->rows[0][3]));
  EXPECT_TRUE(IsNull(rows->rows[0][4]));
  EXPECT_EQ(rows->Column("c"), 2);
}

TEST(DatabaseTest, ErrorsBecomeStatusWithTheSql) {
  Result<Database> db = Database::Open("");
  ASSERT_TRUE(db.ok());
  Status status = db->connection().Execute("SELECT * FROM no_such_table");
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find("no_such_table"), std::string::npos);
  EXPECT_NE(status.message().find("while running: SELECT * FROM no_such_table"), std::string::npos);
  EXPECT_EQ(db->connection().Execute("SELECT CAST('x' AS INTEGER)").code(), StatusCode::kDataError);
}

TEST(DatabaseTest, TransactionRollsBackOnFailure) {
  Result<Database> db = Database::Open("");
  ASSERT_TRUE(db.ok());
  Connection& conn = db->connection();
  ASSERT_TRUE(conn.Execute("CREATE TABLE t(a INT)").ok());
  Status status = InTransaction(conn, [&] {
    SEG_RETURN_IF_ERROR(conn.Execute("INSERT INTO t VALUES (1)"));
    return Status::DataError("stop");
  });
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(*conn.QueryInt("SELECT count(*) FROM t"), 0);
}

TEST(DatabaseTest, AppenderLoadsRows) {
  Result<Database> db = Database::Open("");
  ASSERT_TRUE(db.ok());
  Connection& conn = db->connection();
  ASSERT_TRUE(conn.Execute("CREATE TABLE a(x BIGINT, y VARCHAR)").ok());
  {
    Result<Appender> appender = conn.MakeAppender("a");
    ASSERT_TRUE(appender.ok());
    appender->Append(int64_t{1});
    appender->Append(std::string_view("one"));
    ASSERT_TRUE(appender->EndRow().ok());
    ASSERT_TRUE(appender->Flush().ok());
  }
  EXPECT_EQ(*conn.QueryInt("SELECT count(*) FROM a WHERE y = 'one'"), 1);
}

// Part p holds rows p*1000+1 … p*1000+1000: (n, 'row n', NULL for every third n).
class CountingSource : public RowSource {
 public:
  explicit CountingSource(size_t parts, bool fail_last = false)
      : parts_(parts), fail_last_(fail_last) {}
  std::vector<std::string> number_columns() const override { return {"n"}; }
  std::vector<std::string> text_columns() const override { return {"label", "maybe"}; }
  size_t parts() const override { return parts_; }
  size_t estimated_rows() const override { return parts_ * 1000; }
  Result<std::unique_ptr<RowReader>> OpenPart(size_t part) override {
    if (fail_last_ && part + 1 == parts_) return Status::DataError("part " + std::to_string(part));
    return std::unique_ptr<RowReader>(std::make_unique<Reader>(part));
  }

 private:
  class Reader : public RowReader {
   public:
    explicit Reader(size_t part) : next_(part * 1000 + 1), end_(next_ + 1000) {}
    Result<bool> Read(RowSink& sink) override {
      for (; next_ < end_ && !sink.full(); ++next_) {
        std::string label = "row " + std::to_string(next_);
        sink.Append({next_}, {label, next_ % 3 == 0 ? std::string_view() : "x"});
      }
      return next_ == end_;
    }

   private:
    int64_t next_, end_;
  };
  size_t parts_;
  bool fail_last_;
};

TEST(DatabaseTest, RowSourceIsReadInPartsWithProjection) {
  Result<Database> db = Database::Open("");
  ASSERT_TRUE(db.ok());
  Connection& conn = db->connection();
  CountingSource source(7);
  std::string from;
  {
    Result<RowSourceRegistration> registration = conn.Register(source);
    ASSERT_TRUE(registration.ok());
    from = registration->FromSql();
    Result<Rows> rows = conn.Query(
        "SELECT count(*), sum(n), count(maybe), "
        "count(*) FILTER (WHERE label = 'row ' || n) FROM " +
        from);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ(std::get<int64_t>(rows->rows[0][0]), 7000);
    EXPECT_EQ(store::ToDouble(rows->rows[0][1]), 7000.0 * 7001 / 2);
    EXPECT_EQ(std::get<int64_t>(rows->rows[0][2]), 7000 - 7000 / 3);
    EXPECT_EQ(std::get<int64_t>(rows->rows[0][3]), 7000);
    // Only one column read, a second scan in the same query, and count(*) alone.
    EXPECT_EQ(*conn.QueryInt("SELECT count(*) FROM " + from + " a JOIN (SELECT n FROM " + from +
                             ") b USING (n)"),
              7000);
    EXPECT_EQ(*conn.QueryInt("SELECT count(*) FROM " + from), 7000);
  }
  Status gone = conn.Execute("SELECT * FROM " + from);
  EXPECT_FALSE(gone.ok());
  EXPECT_NE(gone.message().find("no row source"), std::string::npos) << gone.message();
}

TEST(DatabaseTest, RowSourceErrorFailsTheQuery) {
  Result<Database> db = Database::Open("");
  ASSERT_TRUE(db.ok());
  CountingSource source(3, /*fail_last=*/true);
  Result<RowSourceRegistration> registration = db->connection().Register(source);
  ASSERT_TRUE(registration.ok());
  Status status =
      db->connection().Execute("CREATE TABLE t AS SELECT * FROM " + registration->FromSql());
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("part 2"), std::string::npos) << status.message();
}

TEST(WorkspaceTest, CreatesMigratesAndReopens) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "segmenta_ws_test";
  std::filesystem::remove_all(dir);
  {
    Result<Workspace> ws = Workspace::Open(dir);
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
    EXPECT_EQ(ws->schema_version(), LatestSchemaVersion());
    ASSERT_TRUE(
        ws->connection().Execute("INSERT INTO audit VALUES (now(), 'test', 'x', NULL, NULL)").ok());
  }
  Result<Workspace> again = Workspace::Open(dir);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again->connection().QueryInt("SELECT count(*) FROM audit"), 1);
  EXPECT_EQ(*again->connection().QueryInt("SELECT count(*) FROM schema_version"),
            LatestSchemaVersion());
  std::filesystem::remove_all(dir);
}

TEST(WorkspaceTest, RefusesAWorkspaceFromTheFuture) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "segmenta_ws_future";
  std::filesystem::remove_all(dir);
  {
    Result<Workspace> ws = Workspace::Open(dir);
    ASSERT_TRUE(ws.ok());
    ASSERT_TRUE(
        ws->connection().Execute("INSERT INTO schema_version VALUES (999, 'x', now())").ok());
  }
  Result<Workspace> again = Workspace::Open(dir);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("upgrade segmenta"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace segmenta::store

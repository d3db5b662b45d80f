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
  EXPECT_NE(status.message().find("while running: SELECT * FROM no_such_table"),
            std::string::npos);
  EXPECT_EQ(db->connection().Execute("SELECT CAST('x' AS INTEGER)").code(),
            StatusCode::kDataError);
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

TEST(DatabaseTest, AppenderAndStagingWriterLoadRows) {
  Result<Database> db = Database::Open("");
  ASSERT_TRUE(db.ok());
  Connection& conn = db->connection();
  ASSERT_TRUE(conn.Execute("CREATE TABLE a(x BIGINT, y VARCHAR); "
                           "CREATE TABLE s(line BIGINT, c0 VARCHAR, c1 VARCHAR)")
                  .ok());
  {
    Result<Appender> appender = conn.MakeAppender("a");
    ASSERT_TRUE(appender.ok());
    appender->Append(int64_t{1});
    appender->Append(std::string_view("one"));
    ASSERT_TRUE(appender->EndRow().ok());
    ASSERT_TRUE(appender->Flush().ok());
  }
  Result<StagingWriter> writer = conn.MakeStagingWriter("s", 1, 2);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  for (int64_t line = 2; line < 5002; ++line) {
    std::string text = "row " + std::to_string(line) + " with a longer text value";
    ASSERT_TRUE(writer->Append({line}, {text, line % 3 == 0 ? std::string_view() : "x"}).ok());
  }
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(*conn.QueryInt("SELECT count(*) FROM a WHERE y = 'one'"), 1);
  EXPECT_EQ(*conn.QueryInt("SELECT count(*) FROM s"), 5000);
  EXPECT_EQ(*conn.QueryInt("SELECT count(*) FROM s WHERE c1 IS NULL"), 1667);
  EXPECT_EQ(*conn.QueryInt("SELECT count(*) FROM s WHERE c0 = 'row ' || line || "
                           "' with a longer text value'"),
            5000);
}

TEST(WorkspaceTest, CreatesMigratesAndReopens) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "segmenta_ws_test";
  std::filesystem::remove_all(dir);
  {
    Result<Workspace> ws = Workspace::Open(dir);
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
    EXPECT_EQ(ws->schema_version(), LatestSchemaVersion());
    ASSERT_TRUE(ws->connection().Execute("INSERT INTO audit VALUES (now(), 'test', 'x', NULL, NULL)").ok());
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
    ASSERT_TRUE(ws->connection().Execute("INSERT INTO schema_version VALUES (999, 'x', now())").ok());
  }
  Result<Workspace> again = Workspace::Open(dir);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("upgrade segmenta"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace segmenta::store

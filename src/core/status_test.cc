#include "segmenta/status.h"

#include <gtest/gtest.h>

namespace segmenta {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return Status::InvalidArgument("odd: " + std::to_string(n));
  return n / 2;
}

Result<int> Quarter(int n) {
  SEG_ASSIGN_OR_RETURN(int half, Half(n));
  SEG_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(StatusTest, ExitCodesFollowTheCliContract) {
  EXPECT_EQ(Status::Ok().exit_code(), 0);
  EXPECT_EQ(Status::Internal("x").exit_code(), 1);
  EXPECT_EQ(Status::IoError("x").exit_code(), 1);
  EXPECT_EQ(Status::InvalidArgument("x").exit_code(), 2);
  EXPECT_EQ(Status::DataError("x").exit_code(), 3);
}

TEST(StatusTest, ContextPrefixesTheMessageAndKeepsTheCode) {
  Status s = Status::NotFound("no such table").WithContext("features");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "features: no such table");
  EXPECT_TRUE(Status::Ok().WithContext("x").ok());
}

TEST(ResultTest, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd: 3");
}

}  // namespace
}  // namespace segmenta

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "segmenta/cluster_prepare.h"

namespace segmenta {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

FeatureColumns Sample() {
  FeatureColumns columns;
  columns.numeric.push_back({"monetary", {0.0, 9.0, 99.0, kNaN, 999.0}});
  columns.numeric.push_back({"age", {20.0, 30.0, 40.0, 50.0, 60.0}});
  columns.categorical.push_back({"country", {"RO", "BG", "RO", "", "PL"}, {0, 0, 0, 1, 0}});
  return columns;
}

PrepareOptions SampleOptions() {
  PrepareOptions options;
  options.numeric["monetary"] = {NumericTransform::kLog1p, Scaling::kZScore, 1.0};
  options.numeric["age"] = {NumericTransform::kNone, Scaling::kRobust, 4.0};
  return options;
}

TEST(PrepareTest, Log1pZScoreWithMedianImputation) {
  Result<PreparedData> prepared = Prepare(Sample(), SampleOptions());
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  const NumericFeatureModel& monetary = prepared->model.numeric[0];
  // Observed log1p values: log 1, log 10, log 100, log 1000 → median (log 10 + log 100)/2.
  double l10 = std::log(10.0), median = (l10 + 2 * l10) / 2;
  EXPECT_NEAR(monetary.impute, median, 1e-12);
  EXPECT_NEAR(monetary.center, 1.5 * l10, 1e-12);
  double std = std::sqrt((2.25 + 0.25 + 0.25 + 2.25) / 4) * l10;
  EXPECT_NEAR(monetary.scale, std, 1e-12);
  EXPECT_NEAR(prepared->numeric(0, 0), -1.5 * l10 / std, 1e-12);
  EXPECT_NEAR(prepared->numeric(3, 0), 0.0, 1e-12);  // imputed with the median = mean here
  EXPECT_EQ(monetary.fit.imputed, 1u);
  EXPECT_DOUBLE_EQ(monetary.fit.imputed_share, 0.2);
  EXPECT_EQ(prepared->report[0].imputed, 1u);
}

TEST(PrepareTest, RobustScalingAndWeight) {
  Result<PreparedData> prepared = Prepare(Sample(), SampleOptions());
  ASSERT_TRUE(prepared.ok());
  const NumericFeatureModel& age = prepared->model.numeric[1];
  EXPECT_DOUBLE_EQ(age.center, 40.0);
  EXPECT_DOUBLE_EQ(age.scale, 20.0);  // Q3 50 − Q1 30
  EXPECT_FALSE(age.degenerate);
  // weight 4 → × sqrt(4) = 2.
  EXPECT_DOUBLE_EQ(prepared->numeric(0, 1), 2.0 * (20.0 - 40.0) / 20.0);
  EXPECT_DOUBLE_EQ(prepared->numeric(4, 1), 2.0);
}

TEST(PrepareTest, DegenerateScalesAreFlagged) {
  FeatureColumns columns;
  columns.numeric.push_back({"flat", {3.0, 3.0, 3.0, 3.0, 3.0}});
  columns.numeric.push_back({"mostly_flat", {1.0, 5.0, 5.0, 5.0, 5.0}});
  PrepareOptions options;
  options.numeric["mostly_flat"] = {NumericTransform::kNone, Scaling::kRobust, 1.0};
  Result<PreparedData> prepared = Prepare(columns, options);
  ASSERT_TRUE(prepared.ok());
  EXPECT_TRUE(prepared->model.numeric[0].degenerate);
  EXPECT_TRUE(prepared->model.numeric[1].degenerate);
  EXPECT_DOUBLE_EQ(prepared->model.numeric[1].scale, 1.0);  // IQR 0 → 1: only centred
  for (size_t row_idx = 0; row_idx < 4; ++row_idx) EXPECT_EQ(prepared->numeric(row_idx, 0), 0.0);
  EXPECT_DOUBLE_EQ(prepared->numeric(0, 1), -4.0);
  // A new row of a zscore-degenerate column is 0 as well; it unscales to the constant.
  FeatureColumns fresh;
  fresh.numeric.push_back({"flat", {10.0}});
  fresh.numeric.push_back({"mostly_flat", {5.0}});
  Result<PreparedData> applied = prepared->model.Apply(fresh);
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(applied->numeric(0, 0), 0.0);
  EXPECT_DOUBLE_EQ(prepared->model.Unscale(applied->numeric.values())[0], 3.0);
}

TEST(PrepareTest, NegativeValuesUnderLog1pAreClampedAndCounted) {
  FeatureColumns columns;
  columns.numeric.push_back({"net_spend", {-5.0, 0.0, std::expm1(2.0)}});
  PrepareOptions options;
  options.numeric_default = {NumericTransform::kLog1p, Scaling::kNone, 1.0};
  Result<PreparedData> prepared = Prepare(columns, options);
  ASSERT_TRUE(prepared.ok());
  EXPECT_EQ(prepared->model.numeric[0].fit.clamped, 1u);
  EXPECT_DOUBLE_EQ(prepared->numeric(0, 0), 0.0);
  EXPECT_NEAR(prepared->numeric(2, 0), 2.0, 1e-12);
}

TEST(PrepareTest, CategoricalCodesAndMostFrequentImputation) {
  Result<PreparedData> prepared = Prepare(Sample(), SampleOptions());
  ASSERT_TRUE(prepared.ok());
  const CategoricalFeatureModel& country = prepared->model.categorical[0];
  EXPECT_EQ(country.levels, (std::vector<std::string>{"BG", "PL", "RO"}));
  EXPECT_EQ(country.impute, 2);  // RO, twice
  std::vector<int32_t> codes;
  for (size_t row_idx = 0; row_idx < 5; ++row_idx)
    codes.push_back(prepared->categories(row_idx, 0));
  EXPECT_EQ(codes, (std::vector<int32_t>{2, 0, 2, 2, 1}));
  EXPECT_EQ(country.fit.imputed, 1u);
  EXPECT_EQ(prepared->numeric.cols(), 2u);
  EXPECT_EQ(prepared->numeric_names, (std::vector<std::string>{"monetary", "age"}));
}

TEST(PrepareTest, ImputationTieTakesTheSmallestCode) {
  FeatureColumns columns;
  columns.categorical.push_back(
      {"tier", {"gold", "bronze", "", "gold", "bronze"}, {0, 0, 1, 0, 0}});
  Result<PreparedData> prepared = Prepare(columns);
  ASSERT_TRUE(prepared.ok());
  EXPECT_EQ(prepared->categories(2, 0), 0);  // bronze
  EXPECT_EQ(prepared->numeric.cols(), 0u);
  EXPECT_EQ(prepared->numeric.rows(), 5u);
}

TEST(PrepareTest, OneHotColumnsAndShares) {
  PrepareOptions options = SampleOptions();
  options.encoding = CategoricalEncoding::kOneHot;
  Result<PreparedData> prepared = Prepare(Sample(), options);
  ASSERT_TRUE(prepared.ok());
  EXPECT_EQ(prepared->numeric_names, (std::vector<std::string>{"monetary", "age", "country=BG",
                                                               "country=PL", "country=RO"}));
  double scale = options.one_hot_scale;
  EXPECT_EQ(prepared->numeric(1, 2), scale);
  EXPECT_EQ(prepared->numeric(1, 3), 0.0);
  EXPECT_EQ(prepared->numeric(3, 4), scale);  // imputed RO
  EXPECT_EQ(prepared->categories(1, 0), 0);   // codes are kept too
  // Differing categories add exactly 1 to the squared distance.
  double squared = 0.0;
  for (size_t col_idx = 2; col_idx < 5; ++col_idx) {
    double diff = prepared->numeric(0, col_idx) - prepared->numeric(1, col_idx);
    squared += diff * diff;
  }
  EXPECT_NEAR(squared, 1.0, 1e-15);
  std::vector<double> centroid = {0.0, 0.0, 0.25 * scale, 0.0, 0.75 * scale};
  std::vector<std::vector<double>> shares = prepared->model.LevelShares(centroid);
  ASSERT_EQ(shares.size(), 1u);
  EXPECT_NEAR(shares[0][0], 0.25, 1e-15);
  EXPECT_NEAR(shares[0][2], 0.75, 1e-15);
}

TEST(PrepareTest, UnseenCategoriesAtApplyAreReported) {
  PrepareOptions options = SampleOptions();
  options.encoding = CategoricalEncoding::kOneHot;
  Result<PreparedData> prepared = Prepare(Sample(), options);
  ASSERT_TRUE(prepared.ok());
  FeatureColumns fresh;
  fresh.numeric.push_back({"age", {35.0, kNaN}});
  fresh.numeric.push_back({"monetary", {kNaN, kNaN}});
  fresh.categorical.push_back({"country", {"IT", "PL"}, {}});
  fresh.categorical.push_back({"ignored_extra", {"a", "b"}, {}});
  Result<PreparedData> applied = prepared->model.Apply(fresh);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->categories(0, 0), -1);
  EXPECT_EQ(applied->categories(1, 0), 1);
  for (size_t col_idx = 2; col_idx < 5; ++col_idx) EXPECT_EQ(applied->numeric(0, col_idx), 0.0);
  ASSERT_EQ(applied->report.size(), 3u);
  EXPECT_EQ(applied->report[2].unseen, 1u);
  EXPECT_EQ(applied->report[0].imputed, 2u);  // an entirely missing column is fine at Apply
  EXPECT_DOUBLE_EQ(applied->report[1].imputed_share, 0.5);
  EXPECT_EQ(prepared->model.DecodeCategories(std::vector<int32_t>{-1}),
            (std::vector<std::string>{""}));
}

TEST(PrepareTest, ModelJsonRoundTripsExactlyAndAppliesTheSame) {
  PrepareOptions options = SampleOptions();
  options.encoding = CategoricalEncoding::kOneHot;
  Result<PreparedData> prepared = Prepare(Sample(), options);
  ASSERT_TRUE(prepared.ok());
  nlohmann::json saved = prepared->model.ToJson();
  Result<PreparationModel> loaded = PreparationModel::FromJson(nlohmann::json::parse(saved.dump()));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->ToJson(), saved);
  EXPECT_EQ(loaded->ToJson().dump(), saved.dump());
  EXPECT_EQ(saved["numeric"][0]["transform"], "log1p");
  EXPECT_EQ(saved["categorical"][0]["levels"][2], "RO");
  Result<PreparedData> applied = loaded->Apply(Sample());
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(applied->numeric.values(), prepared->numeric.values());
  EXPECT_EQ(applied->categories.values(), prepared->categories.values());
}

TEST(PrepareTest, UnscaleInvertsThePreparation) {
  Result<PreparedData> prepared = Prepare(Sample(), SampleOptions());
  ASSERT_TRUE(prepared.ok());
  FeatureColumns columns = Sample();
  for (size_t row_idx : {0, 1, 2, 4}) {
    std::vector<double> original = prepared->model.Unscale(
        std::span<const double>(prepared->numeric.row(row_idx), prepared->numeric.cols()));
    ASSERT_EQ(original.size(), 2u);
    EXPECT_NEAR(original[0], columns.numeric[0].values[row_idx], 1e-9);
    EXPECT_NEAR(original[1], columns.numeric[1].values[row_idx], 1e-9);
  }
  EXPECT_EQ(prepared->model.DecodeCategories(std::vector<int32_t>{1}),
            (std::vector<std::string>{"PL"}));
  EXPECT_EQ(prepared->model.DecodeCategory(0, 2), "RO");
  EXPECT_EQ(prepared->model.DecodeCategory(0, 3), "");
  EXPECT_EQ(prepared->model.DecodeCategory(1, 0), "");
}

TEST(PrepareTest, Errors) {
  EXPECT_EQ(Prepare(FeatureColumns{}).status().code(), StatusCode::kInvalidArgument);

  FeatureColumns uneven = Sample();
  uneven.numeric[1].values.pop_back();
  EXPECT_EQ(Prepare(uneven).status().code(), StatusCode::kInvalidArgument);

  FeatureColumns all_missing = Sample();
  all_missing.numeric[1].values.assign(5, kNaN);
  Result<PreparedData> missing = Prepare(all_missing);
  EXPECT_EQ(missing.status().code(), StatusCode::kDataError);
  EXPECT_NE(missing.status().message().find("'age'"), std::string::npos);

  FeatureColumns no_category = Sample();
  no_category.categorical[0].missing.assign(5, 1);
  EXPECT_NE(Prepare(no_category).status().message().find("'country'"), std::string::npos);

  PrepareOptions unknown = SampleOptions();
  unknown.numeric["recency"] = {};
  EXPECT_NE(Prepare(Sample(), unknown).status().message().find("'recency'"), std::string::npos);

  PrepareOptions zero_weight = SampleOptions();
  zero_weight.numeric["age"].weight = 0.0;
  EXPECT_FALSE(Prepare(Sample(), zero_weight).ok());

  FeatureColumns infinite = Sample();
  infinite.numeric[1].values[0] = std::numeric_limits<double>::infinity();
  EXPECT_EQ(Prepare(infinite).status().code(), StatusCode::kDataError);

  FeatureColumns duplicate = Sample();
  duplicate.categorical[0].name = "age";
  EXPECT_FALSE(Prepare(duplicate).ok());

  EXPECT_FALSE(ParseScaling("minmax").ok());
  EXPECT_NE(ParseNumericTransform("sqrt").status().message().find("log1p"), std::string::npos);
  EXPECT_EQ(*ParseCategoricalEncoding("one_hot"), CategoricalEncoding::kOneHot);

  Result<PreparedData> prepared = Prepare(Sample(), SampleOptions());
  ASSERT_TRUE(prepared.ok());
  FeatureColumns partial = Sample();
  partial.numeric.pop_back();
  EXPECT_EQ(prepared->model.Apply(partial).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(PreparationModel::FromJson(nlohmann::json{{"version", 1}}).ok());
  EXPECT_FALSE(PreparationModel::FromJson(nlohmann::json::array()).ok());
}

TEST(PrepareTest, ScalesToManyRows) {
  const size_t rows = 200000;
  FeatureColumns columns;
  columns.numeric.push_back({"x", std::vector<double>(rows)});
  columns.categorical.push_back({"c", std::vector<std::string>(rows), {}});
  for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
    columns.numeric[0].values[row_idx] = static_cast<double>(row_idx % 1000);
    columns.categorical[0].values[row_idx] = "level" + std::to_string(row_idx % 7);
  }
  Result<PreparedData> prepared = Prepare(columns);
  ASSERT_TRUE(prepared.ok());
  EXPECT_EQ(prepared->model.categorical[0].levels.size(), 7u);
  EXPECT_NEAR(prepared->model.numeric[0].center, 499.5, 1e-9);
}

}  // namespace
}  // namespace segmenta

// The value models against the published CDNOW results (../shared/data/README.md),
// against simulation from their own generative processes, and at the edges.
#include "segmenta/value.h"

#include <gtest/gtest.h>

#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

namespace segmenta::value {
namespace {

const std::string kCdnow = std::string(SEGMENTA_SHARED_DATA) + "/cdnow/";
const std::vector<double> kBgNbdPublished = {0.2425982, 4.4136842, 0.7929899, 2.4261667};

// ID, x, t_x, T[, zbar] (weeks).
Summary ReadCdnow(const std::string& file) {
  std::ifstream in(kCdnow + file);
  EXPECT_TRUE(in) << kCdnow + file;
  std::string line;
  std::getline(in, line);  // header
  Summary summary;
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::string id, x, t_x, T, zbar;
    std::getline(fields, id, ',');
    std::getline(fields, x, ',');
    std::getline(fields, t_x, ',');
    std::getline(fields, T, ',');
    summary.x.push_back(std::stod(x));
    summary.t_x.push_back(std::stod(t_x));
    summary.T.push_back(std::stod(T));
    if (std::getline(fields, zbar, ',')) summary.monetary.push_back(std::stod(zbar));
  }
  return summary;
}

TEST(ValueCdnowTest, SummaryMatchesTheDataDescription) {
  Summary cdnow = ReadCdnow("cdnow_customers_summary_with_transactions.csv");
  ASSERT_EQ(cdnow.size(), 2357u);
  double repeats = 0;
  int zero = 0;
  for (double x : cdnow.x) repeats += x, zero += x == 0;
  EXPECT_EQ(repeats, 2457);
  EXPECT_EQ(zero, 1411);
}

TEST(ValueCdnowTest, BgNbdReproducesFaderHardieLee) {
  Summary cdnow = ReadCdnow("cdnow_customers_summary.csv");
  Result<double> published_ll = LogLikelihood(ModelKind::kBgNbd, kBgNbdPublished, cdnow);
  ASSERT_TRUE(published_ll.ok()) << published_ll.status().message();
  EXPECT_NEAR(*published_ll, -9582.429, 0.01);

  Result<FitResult> fit = Fit(ModelKind::kBgNbd, cdnow);
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  // Published to three decimals; the 2-decimal summary moves the fourth.
  EXPECT_NEAR(fit->params[0], 0.243, 0.0006);
  EXPECT_NEAR(fit->params[1], 4.414, 0.002);
  EXPECT_NEAR(fit->params[2], 0.793, 0.0006);
  EXPECT_NEAR(fit->params[3], 2.426, 0.002);
  EXPECT_NEAR(fit->log_likelihood, -9582.4, 0.05);
  EXPECT_GE(fit->log_likelihood, *published_ll);  // the maximum on this very data
  EXPECT_EQ(fit->customers, 2357);
  EXPECT_LT(fit->distinct, 2357);  // the 1,411 one-time buyers share far fewer (t_x, T)
  // Standard errors as the lifetimes package reports them for this summary (its
  // quickstart): 0.012557, 0.378221, 0.185719, 0.705345.
  const double lifetimes_se[] = {0.012557, 0.378221, 0.185719, 0.705345};
  for (int i = 0; i < 4; ++i)
    EXPECT_NEAR(fit->std_errors[i], lifetimes_se[i], 0.01 * lifetimes_se[i]);
  EXPECT_TRUE(fit->note.empty()) << fit->note;
}

TEST(ValueCdnowTest, BgNbdPredictionsOfTheBtydWalkthrough) {
  Result<PurchaseModel> model = PurchaseModel::Make(ModelKind::kBgNbd, kBgNbdPublished);
  ASSERT_TRUE(model.ok());
  EXPECT_NEAR(model->ExpectedPurchasesNew(52), 1.444004, 2e-6);
  EXPECT_NEAR(model->ExpectedPurchases(52, 26, 30.85714, 31), 25.75659, 1e-4);
  EXPECT_NEAR(model->ProbabilityAlive(26, 30.85714, 31), 0.9688523, 1e-6);
  EXPECT_EQ(model->ProbabilityAlive(0, 0, 31), 1.0);  // BG/NBD: no drop-out before a repeat
}

TEST(ValueCdnowTest, ParetoNbdReproducesThePublishedFit) {
  Summary cdnow = ReadCdnow("cdnow_customers_summary.csv");
  Result<double> published_ll =
      LogLikelihood(ModelKind::kParetoNbd, {0.553, 10.578, 0.606, 11.669}, cdnow);
  ASSERT_TRUE(published_ll.ok());
  EXPECT_NEAR(*published_ll, -9595.0, 0.1);

  Result<FitResult> fit = Fit(ModelKind::kParetoNbd, cdnow);
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  EXPECT_NEAR(fit->params[0], 0.553, 0.002);
  EXPECT_NEAR(fit->params[1], 10.578, 0.03);
  EXPECT_NEAR(fit->params[2], 0.606, 0.003);
  EXPECT_NEAR(fit->params[3], 11.669, 0.06);
  EXPECT_NEAR(fit->log_likelihood, -9594.98, 0.05);
}

TEST(ValueCdnowTest, GammaGammaReproducesFaderHardie) {
  Summary cdnow = ReadCdnow("cdnow_customers_summary_with_transactions.csv");
  Result<FitResult> fit = Fit(ModelKind::kGammaGamma, cdnow);
  ASSERT_TRUE(fit.ok()) << fit.status().message();
  EXPECT_EQ(fit->customers, 946);
  EXPECT_NEAR(fit->params[0], 6.25, 0.006);
  EXPECT_NEAR(fit->params[1], 3.74, 0.006);
  EXPECT_NEAR(fit->params[2], 15.44, 0.02);
  EXPECT_NEAR(fit->log_likelihood, -4055.92, 0.01);
  Result<OrderValueModel> values = OrderValueModel::Make(fit->params);
  ASSERT_TRUE(values.ok());
  // The mean of a customer with many orders approaches their own mean.
  EXPECT_NEAR(values->ExpectedValue(1000, 40), 40, 0.2);
  EXPECT_NEAR(values->ExpectedValue(0, 0), values->PopulationMean(), 1e-12);
  EXPECT_LT(std::abs(FrequencyValueCorrelation(cdnow)), 0.2);
}

TEST(ValueModelTest, ParetoNbdAliveMatchesTheIntegralItCondenses) {
  // P(alive) = A / (A + s ∫_{t_x}^{T} (α+y)^-(r+x) (β+y)^-(s+1) dy), the integral by
  // quadrature; α > β and α < β take different branches.
  for (const std::vector<double>& theta :
       {std::vector<double>{0.553, 10.578, 0.606, 11.669},
        {0.9, 30.0, 1.3, 4.0},
        {4.7, 43.0, 0.4, 0.5},
        {0.5, 0.2, 2.0, 60.0}}) {  // the last two: z > 0.9, quadrature
    Result<PurchaseModel> model = PurchaseModel::Make(ModelKind::kParetoNbd, theta);
    ASSERT_TRUE(model.ok());
    const double r = theta[0], alpha = theta[1], s = theta[2], beta = theta[3];
    for (const auto& customer :
         {std::tuple{2.0, 30.43, 38.86}, {0.0, 0.0, 20.0}, {15.0, 10.0, 70.0}}) {
      const double x = std::get<0>(customer), t_x = std::get<1>(customer),
                   T = std::get<2>(customer);
      auto integrand = [&](double y) {
        return std::pow(alpha + y, -(r + x)) * std::pow(beta + y, -(s + 1));
      };
      const double integral = boost::math::quadrature::gauss_kronrod<double, 61>::integrate(
          integrand, t_x, T, 20, 1e-14);
      const double alive = std::pow(alpha + T, -(r + x)) * std::pow(beta + T, -s);
      EXPECT_NEAR(model->ProbabilityAlive(x, t_x, T), alive / (alive + s * integral), 1e-9);
    }
  }
}

TEST(ValueModelTest, PurchaseCountDistributionsSumToOneWithTheRightMean) {
  for (const auto& [kind, theta] : {std::pair{ModelKind::kBgNbd, kBgNbdPublished},
                                    {ModelKind::kParetoNbd, {0.553, 10.578, 0.606, 11.669}}}) {
    Result<PurchaseModel> model = PurchaseModel::Make(kind, theta);
    ASSERT_TRUE(model.ok());
    double total = 0, mean = 0;
    for (int n = 0; n < 400; ++n) {
      const double p = model->ProbabilityOfPurchases(39, n);
      total += p;
      mean += n * p;
    }
    EXPECT_NEAR(total, 1.0, 1e-8) << ToString(kind);
    EXPECT_NEAR(mean, model->ExpectedPurchasesNew(39), 1e-6) << ToString(kind);
  }
}

// |estimate − truth| within 4 standard errors, each parameter.
void ExpectRecovered(const FitResult& fit, const std::vector<double>& truth) {
  for (size_t i = 0; i < truth.size(); ++i) {
    EXPECT_LT(std::abs(fit.params[i] - truth[i]), 4 * fit.std_errors[i])
        << ToString(fit.kind) << " " << fit.names[i] << " = " << fit.params[i] << " ± "
        << fit.std_errors[i] << ", true " << truth[i];
  }
}

std::vector<double> WeeksGrid(double from, double to) {
  std::vector<double> T;
  for (int day = static_cast<int>(from * 7); day <= to * 7; ++day) T.push_back(day / 7.0);
  return T;
}

TEST(ValueSimulationTest, BgNbdRecoversItsParameters) {
  const std::vector<std::vector<double>> truths = {
      kBgNbdPublished, {1.5, 20.0, 0.5, 3.0}, {0.6, 2.0, 2.0, 8.0}};
  uint64_t seed = 1;
  for (const std::vector<double>& truth : truths) {
    Summary data = SimulateBgNbd(truth, 100000, WeeksGrid(26, 78), seed++);
    Result<FitResult> fit = Fit(ModelKind::kBgNbd, data);
    ASSERT_TRUE(fit.ok()) << fit.status().message();
    ExpectRecovered(*fit, truth);
  }
}

TEST(ValueSimulationTest, ParetoNbdRecoversItsParameters) {
  const std::vector<std::vector<double>> truths = {{0.553, 10.578, 0.606, 11.669},
                                                   {1.2, 15.0, 0.8, 40.0}};
  uint64_t seed = 11;
  for (const std::vector<double>& truth : truths) {
    Summary data = SimulateParetoNbd(truth, 40000, WeeksGrid(26, 78), seed++);
    Result<FitResult> fit = Fit(ModelKind::kParetoNbd, data);
    ASSERT_TRUE(fit.ok()) << fit.status().message();
    ExpectRecovered(*fit, truth);
  }
}

TEST(ValueSimulationTest, GammaGammaRecoversItsParameters) {
  for (const std::vector<double>& truth :
       {std::vector<double>{6.25, 3.74, 15.44}, {2.0, 5.0, 100.0}}) {
    Summary data = SimulateBgNbd({1.5, 20.0, 0.5, 3.0}, 100000, WeeksGrid(26, 78), 21);
    SimulateGammaGamma(truth, data, 22);
    Result<FitResult> fit = Fit(ModelKind::kGammaGamma, data);
    ASSERT_TRUE(fit.ok()) << fit.status().message();
    ExpectRecovered(*fit, truth);
  }
}

TEST(ValueEdgeTest, NoRepeatPurchasesIsAClearError) {
  Summary data;
  data.x = {0, 0, 0};
  data.t_x = {0, 0, 0};
  data.T = {10, 20, 30};
  Result<FitResult> fit = Fit(ModelKind::kBgNbd, data);
  ASSERT_FALSE(fit.ok());
  EXPECT_EQ(fit.status().code(), StatusCode::kDataError);
  EXPECT_NE(fit.status().message().find("no repeat purchase"), std::string::npos);
  EXPECT_FALSE(Fit(ModelKind::kGammaGamma, data).ok());
}

TEST(ValueEdgeTest, OneCustomerCannotPinTheModelDown) {
  Summary data;
  data.x = {3};
  data.t_x = {20};
  data.T = {30};
  Result<FitResult> fit = Fit(ModelKind::kBgNbd, data);
  ASSERT_FALSE(fit.ok());
  EXPECT_NE(fit.status().message().find("did not converge"), std::string::npos)
      << fit.status().message();
}

TEST(ValueEdgeTest, HugeFrequenciesGiveFinitePredictions) {
  Result<PurchaseModel> model = PurchaseModel::Make(ModelKind::kBgNbd, kBgNbdPublished);
  ASSERT_TRUE(model.ok());
  // x = 500: the untransformed expression (Fader, Hardie & Lee 2005, eq. 10), with
  // Boost's 2F1, still fits in a double; ours must agree with it.
  const double r = kBgNbdPublished[0], alpha = kBgNbdPublished[1], a = kBgNbdPublished[2],
               b = kBgNbdPublished[3];
  const double x = 500, T = 40, t = 52, z = t / (alpha + T + t);
  const double untransformed =
      (a + b + x - 1) / (a - 1) *
      (1 - std::pow((alpha + T) / (alpha + T + t), r + x) *
               boost::math::hypergeometric_pFq({r + x, b + x}, {a + b + x - 1}, z));
  EXPECT_NEAR(model->ExpectedIfAlive(t, x, T), untransformed, 1e-9 * untransformed);
  // 20,000 purchases in 40 weeks: alive, finite, and below the posterior purchase rate
  // (r + x) / (α + T) times t (drop-out chances add up over 20,000 more purchases).
  const double expected = model->ExpectedPurchases(t, 20000, 40, 40);
  EXPECT_TRUE(std::isfinite(expected)) << expected;
  EXPECT_GT(expected, 0);
  EXPECT_LT(expected, (r + 20000) / (alpha + T) * t);
  EXPECT_NEAR(model->ProbabilityAlive(20000, 40, 40), 1 / (1 + a / (b + 20000 - 1)), 1e-12);
  Summary data = SimulateBgNbd(kBgNbdPublished, 2000, {40}, 5);
  data.x.push_back(20000), data.t_x.push_back(39.9), data.T.push_back(40);
  Result<FitResult> fit = Fit(ModelKind::kBgNbd, data);
  EXPECT_TRUE(fit.ok()) << fit.status().message();
}

TEST(ValueEdgeTest, InvalidSummariesNameTheCustomer) {
  Summary data;
  data.x = {1, 2};
  data.t_x = {5, 12};
  data.T = {10, 11};
  Status status = ValidateSummary(data);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("customer 1"), std::string::npos) << status.message();
  data.t_x[1] = 3;
  data.x[0] = 1.5;
  EXPECT_NE(ValidateSummary(data).message().find("whole number"), std::string::npos);
  EXPECT_FALSE(PurchaseModel::Make(ModelKind::kBgNbd, {1, 2, -3, 4}).ok());
  EXPECT_FALSE(OrderValueModel::Make({1, 0.5, 2}).ok());  // q <= 1: infinite mean
}

TEST(ValuePredictTest, PredictMatchesThePerCustomerFormulas) {
  Summary cdnow = ReadCdnow("cdnow_customers_summary_with_transactions.csv");
  Result<PurchaseModel> model = PurchaseModel::Make(ModelKind::kBgNbd, kBgNbdPublished);
  Result<OrderValueModel> values = OrderValueModel::Make({6.25, 3.74, 15.44});
  ASSERT_TRUE(model.ok() && values.ok());
  PredictOptions options;
  options.horizon = 52;
  Result<Predictions> predictions = Predict(*model, &*values, cdnow, options);
  ASSERT_TRUE(predictions.ok()) << predictions.status().message();
  for (size_t i : {0u, 1u, 2u, 1000u, 2356u}) {
    EXPECT_NEAR(predictions->expected_purchases[i],
                model->ExpectedPurchases(52, cdnow.x[i], cdnow.t_x[i], cdnow.T[i]), 1e-12);
    // CLV: monthly increments, discounted at 10% a year.
    double clv = 0, previous = 0;
    for (int month = 1; month <= 12; ++month) {
      const double t = month * 365.25 / 12 / 7;
      const double cumulative = model->ExpectedPurchases(t, cdnow.x[i], cdnow.t_x[i], cdnow.T[i]);
      clv += (cumulative - previous) / std::pow(1.1, month / 12.0);
      previous = cumulative;
    }
    clv *= values->ExpectedValue(cdnow.x[i], cdnow.monetary[i]);
    EXPECT_NEAR(predictions->clv[i], clv, 1e-9 * std::max(1.0, clv));
  }
  EXPECT_EQ(ClassifyChurnRisk(0.1), ChurnRisk::kHigh);
  EXPECT_EQ(ClassifyChurnRisk(0.5), ChurnRisk::kMedium);
  EXPECT_EQ(ClassifyChurnRisk(0.9), ChurnRisk::kLow);
}

TEST(ValueDiagnosticsTest, HoldoutBucketsPoolTheTopAndAverage) {
  Result<PurchaseModel> model = PurchaseModel::Make(ModelKind::kBgNbd, kBgNbdPublished);
  Summary data;
  data.x = {0, 0, 1, 2, 9};
  data.t_x = {0, 0, 5, 8, 30};
  data.T = {10, 20, 30, 30, 31};
  Result<std::vector<FrequencyBucket>> buckets =
      HoldoutByFrequency(*model, data, {0, 1, 1, 3, 8}, 39, 7, 2);
  ASSERT_TRUE(buckets.ok()) << buckets.status().message();
  // x = 1, 2 and 9 each have one customer: pooled into "1+" (3 customers).
  ASSERT_EQ(buckets->size(), 2u);
  EXPECT_EQ((*buckets)[0].label, "0");
  EXPECT_EQ((*buckets)[0].customers, 2);
  EXPECT_DOUBLE_EQ((*buckets)[0].actual, 0.5);
  EXPECT_EQ((*buckets)[1].label, "1+");
  EXPECT_DOUBLE_EQ((*buckets)[1].actual, 4.0);
  const double expected =
      (model->ExpectedPurchases(39, 1, 5, 30) + model->ExpectedPurchases(39, 2, 8, 30) +
       model->ExpectedPurchases(39, 9, 30, 31)) /
      3;
  EXPECT_NEAR((*buckets)[1].expected, expected, 1e-12);

  Result<std::vector<TrackingPoint>> tracking =
      CumulativeTracking(*model, {0, 0, 1.5}, {1, 0, 2}, 1.0);
  ASSERT_TRUE(tracking.ok());
  ASSERT_EQ(tracking->size(), 3u);
  EXPECT_DOUBLE_EQ((*tracking)[2].actual, 3);
  EXPECT_NEAR((*tracking)[2].expected,
              2 * model->ExpectedPurchasesNew(3) + model->ExpectedPurchasesNew(1.5), 1e-12);
}

}  // namespace
}  // namespace segmenta::value

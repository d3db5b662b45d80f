// The A/B statistics against scipy.stats.norm (Debian's python3-scipy, computed by a
// script this test writes and runs), and against their own generative process: A/A
// false positives, interval coverage and the power at the planned sample size.
#include "lifecycle/stats.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <vector>

#include "../tests/testing.h"

namespace segmenta::stats {
namespace {

// Computes each case's quantities from scipy.stats.norm alone, one output line per case.
constexpr const char* kScipyScript = R"py(
import math, sys
from scipy.stats import norm

def z2(confidence):
    return norm.ppf(1 - (1 - confidence) / 2)

for line in open(sys.argv[1]):
    kind, *a = line.split()
    if kind == "cdf":
        x = float(a[0]); out = [norm.cdf(x), norm.sf(x)]
    elif kind == "ppf":
        out = [norm.ppf(float(a[0]))]
    elif kind == "prop":
        xa, na, xb, nb = map(int, a[:4]); conf = float(a[4])
        pa, pb = xa / na, xb / nb
        d = pa - pb
        half = z2(conf) * math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
        p = (xa + xb) / (na + nb)
        se = math.sqrt(p * (1 - p) * (1 / na + 1 / nb))
        z = d / se
        out = [d, d - half, d + half, z, 2 * norm.sf(abs(z))]
    elif kind == "mean":
        na, ma, va, nb, mb, vb, conf = float(a[0]), float(a[1]), float(a[2]), float(a[3]), float(a[4]), float(a[5]), float(a[6])
        d = ma - mb
        half = z2(conf) * math.sqrt(va / na + vb / nb)
        out = [d, d - half, d + half]
    elif kind == "size":
        p1, lift, alpha, power = map(float, a)
        p2 = p1 * (1 + lift); pbar = (p1 + p2) / 2
        root = norm.isf(alpha / 2) * math.sqrt(2 * pbar * (1 - pbar)) + norm.ppf(power) * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
        out = [root ** 2 / (p2 - p1) ** 2]
    print(" ".join(repr(float(v)) for v in out))
)py";

std::string Shell(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  std::array<char, 4096> buffer;
  size_t read = 0;
  while ((read = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    output.append(buffer.data(), read);
  pclose(pipe);
  return output;
}

// 1e-9 relative; the absolute 1e-15 only matters where a value is about 0.
void ExpectClose(double ours, double reference, const std::string& what) {
  EXPECT_LE(std::fabs(ours - reference),
            1e-9 * std::max(std::fabs(ours), std::fabs(reference)) + 1e-15)
      << what << ": ours " << ours << ", scipy " << reference;
}

struct Case {
  std::string line;                           // the script's input
  std::function<std::vector<double>()> ours;  // our values, in the script's order
};

std::vector<Case> RandomCases() {
  std::mt19937_64 rng(20240607);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<Case> cases;
  auto text = [](double value) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return std::string(buffer);
  };
  for (int idx = 0; idx < 200; ++idx) {
    double x = idx < 190 ? -37 + 45 * unit(rng) : -8 + 16 * unit(rng);
    cases.push_back({"cdf " + text(x), [x] {
                       return std::vector<double>{NormalCdf(x), NormalSf(x)};
                     }});
    double p = idx % 2 ? unit(rng) : std::pow(10.0, -15 * unit(rng));
    if (p <= 0 || p >= 1) p = 0.5;
    cases.push_back({"ppf " + text(p), [p] { return std::vector<double>{NormalQuantile(p)}; }});
  }
  for (int idx = 0; idx < 300; ++idx) {
    int64_t na = 20 + static_cast<int64_t>(unit(rng) * 50000),
            nb = 20 + static_cast<int64_t>(unit(rng) * 50000);
    int64_t xa = static_cast<int64_t>(unit(rng) * unit(rng) * static_cast<double>(na));
    int64_t xb =
        std::max<int64_t>(1, static_cast<int64_t>(unit(rng) * unit(rng) * static_cast<double>(nb)));
    double conf = idx % 3 == 0 ? 0.9 : 0.95;
    cases.push_back(
        {"prop " + std::to_string(xa) + " " + std::to_string(na) + " " + std::to_string(xb) + " " +
             std::to_string(nb) + " " + text(conf),
         [=] {
           ProportionComparison c = CompareProportions(xa, na, xb, nb, conf);
           return std::vector<double>{c.difference, c.ci_low, c.ci_high, c.z, c.p_value};
         }});
    Sample a{na, 100 * unit(rng), 1e4 * unit(rng)}, b{nb, 100 * unit(rng), 1e4 * unit(rng)};
    cases.push_back({"mean " + std::to_string(a.n) + " " + text(a.mean) + " " + text(a.variance) +
                         " " + std::to_string(b.n) + " " + text(b.mean) + " " + text(b.variance) +
                         " " + text(conf),
                     [=] {
                       MeanComparison c = CompareMeans(a, b, conf);
                       return std::vector<double>{c.difference, c.ci_low, c.ci_high};
                     }});
    double base = 0.005 + 0.6 * unit(rng);
    double lift = (idx % 2 ? 1 : -1) * (0.02 + 0.5 * unit(rng));
    double alpha = std::array<double, 3>{0.01, 0.05, 0.1}[idx % 3];
    double power = 0.5 + 0.49 * unit(rng);
    if (base * (1 + lift) >= 1) lift = 0.1;
    cases.push_back(
        {"size " + text(base) + " " + text(lift) + " " + text(alpha) + " " + text(power),
         [=] { return std::vector<double>{SampleSize(base, lift, alpha, power)}; }});
  }
  return cases;
}

TEST(StatsTest, AgreesWithScipy) {
  testing::TempDir dir;
  std::string check = Shell("/usr/bin/python3 -c 'import scipy.stats; print(\"ok\")' 2>&1");
  ASSERT_EQ(check, "ok\n") << "python3 with scipy is needed (Debian's python3-scipy): run "
                              "scripts/setup.sh. It said: "
                           << check;
  std::vector<Case> cases = RandomCases();
  std::ofstream input(dir / "cases.txt");
  for (const Case& c : cases) input << c.line << "\n";
  input.close();
  testing::WriteFile(dir / "reference.py", kScipyScript);
  std::istringstream lines(Shell("/usr/bin/python3 " + (dir / "reference.py").string() + " " +
                                 (dir / "cases.txt").string() + " 2>&1"));
  std::string line;
  for (const Case& c : cases) {
    ASSERT_TRUE(std::getline(lines, line)) << "scipy stopped before: " << c.line;
    std::istringstream values(line);
    std::vector<double> ours = c.ours();
    for (size_t idx = 0; idx < ours.size(); ++idx) {
      double reference = std::nan("");
      ASSERT_TRUE(values >> reference) << "unreadable scipy line for " << c.line << ": " << line;
      ExpectClose(ours[idx], reference, c.line + " [" + std::to_string(idx) + "]");
    }
  }
}

TEST(StatsTest, KnownValues) {
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963984540054, 1e-15);
  EXPECT_NEAR(NormalCdf(1.96), 0.9750021048517795, 1e-15);
  // The textbook case: 5% → 5.5% at α = 0.05, power 0.8: 31,234 per arm.
  EXPECT_EQ(SampleSizePerArm(0.05, 0.1, 0.05, 0.8), 31234);
  // 30/300 against 20/300 (hand-computed: pooled p = 50/600).
  ProportionComparison c = CompareProportions(30, 300, 20, 300);
  double pooled_se = std::sqrt(50.0 / 600 * (550.0 / 600) * (2.0 / 300));
  EXPECT_NEAR(c.z, (0.1 - 20.0 / 300) / pooled_se, 1e-12);
  EXPECT_NEAR(c.relative_lift, 0.5, 1e-12);
  // Nobody converted anywhere: no evidence either way.
  ProportionComparison none = CompareProportions(0, 100, 0, 100);
  EXPECT_EQ(none.p_value, 1);
  EXPECT_TRUE(std::isnan(none.relative_lift));
}

// Share of `runs` where `hit` holds, within 4 binomial standard errors of `expected`.
void ExpectRate(int hits, int runs, double expected, const std::string& what) {
  double rate = static_cast<double>(hits) / runs;
  double se = std::sqrt(expected * (1 - expected) / runs);
  EXPECT_NEAR(rate, expected, 4 * se) << what;
}

TEST(StatsTest, AaTestsRejectAboutFivePercentAndIntervalsCoverTheTruth) {
  std::mt19937_64 rng(11);
  constexpr int kRuns = 4000;
  constexpr int64_t kN = 1500;
  int false_positives = 0, covered_aa = 0, covered_ab = 0;
  for (int run = 0; run < kRuns; ++run) {
    std::binomial_distribution<int64_t> same(kN, 0.08), better(kN, 0.1);
    int64_t a = same(rng), b = same(rng), c = better(rng);
    ProportionComparison aa = CompareProportions(a, kN, b, kN);
    false_positives += aa.p_value < 0.05;
    covered_aa += aa.ci_low <= 0 && 0 <= aa.ci_high;
    ProportionComparison ab = CompareProportions(c, kN, b, kN);
    covered_ab += ab.ci_low <= 0.02 && 0.02 <= ab.ci_high;
  }
  ExpectRate(false_positives, kRuns, 0.05, "A/A false-positive rate");
  ExpectRate(covered_aa, kRuns, 0.95, "A/A interval coverage");
  ExpectRate(covered_ab, kRuns, 0.95, "A/B interval coverage of the true +2 points");
}

TEST(StatsTest, ThePlannedSampleHasThePlannedPower) {
  std::mt19937_64 rng(12);
  int64_t n = SampleSizePerArm(0.2, 0.25, 0.05, 0.8);  // 20% → 25%
  EXPECT_GT(n, 900);
  EXPECT_LT(n, 1300);
  constexpr int kRuns = 3000;
  int detected = 0;
  for (int run = 0; run < kRuns; ++run) {
    std::binomial_distribution<int64_t> control(n, 0.2), treated(n, 0.25);
    detected += CompareProportions(treated(rng), n, control(rng), n).p_value < 0.05;
  }
  ExpectRate(detected, kRuns, 0.8, "power at the planned sample");
}

TEST(StatsTest, RevenueIntervalsCoverTheTrueDifference) {
  std::mt19937_64 rng(13);
  std::bernoulli_distribution buys(0.1);
  std::gamma_distribution<double> amount(2.0, 25.0);  // mean 50 per buyer → 5 per customer
  auto sample = [&](int64_t n, double scale) {
    double sum = 0, squares = 0;
    for (int64_t idx = 0; idx < n; ++idx) {
      double value = buys(rng) ? scale * amount(rng) : 0;
      sum += value;
      squares += value * value;
    }
    double mean = sum / static_cast<double>(n);
    return Sample{n, mean,
                  (squares - static_cast<double>(n) * mean * mean) / static_cast<double>(n - 1)};
  };
  constexpr int kRuns = 1000;
  int covered = 0;
  for (int run = 0; run < kRuns; ++run) {
    MeanComparison c = CompareMeans(sample(2000, 1.2), sample(1000, 1.0));  // true: 6 − 5
    covered += c.ci_low <= 1.0 && 1.0 <= c.ci_high;
  }
  ExpectRate(covered, kRuns, 0.95, "Welch interval coverage");
}

}  // namespace
}  // namespace segmenta::stats

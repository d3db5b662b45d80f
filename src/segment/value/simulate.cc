// Customers drawn from each model's own generative process, for parameter-recovery
// tests and benchmarks.
#include <cmath>
#include <random>

#include "segmenta/value.h"

namespace segmenta::value {
namespace {

// Records purchases at times after the first (time 0), on a grid when round_to > 0:
// purchases on the first purchase's grid point, or on one already counted, merge.
class Recorder {
 public:
  explicit Recorder(double round_to) : round_to_(round_to) {}
  void Purchase(double t) {
    const double at = round_to_ > 0 ? std::floor(t / round_to_) * round_to_ : t;
    if (at <= last_) return;
    ++x_;
    last_ = at;
  }
  double x() const { return x_; }
  double t_x() const { return last_; }

 private:
  double round_to_;
  double x_ = 0, last_ = 0;
};

double Gamma(std::mt19937_64& rng, double shape, double rate) {
  return std::gamma_distribution<double>(shape, 1 / rate)(rng);
}

void Append(Summary& summary, const Recorder& recorder, double T) {
  summary.x.push_back(recorder.x());
  summary.t_x.push_back(recorder.t_x());
  summary.T.push_back(T);
}

}  // namespace

Summary SimulateBgNbd(const std::vector<double>& params, size_t n, const std::vector<double>& T,
                      uint64_t seed, double round_to) {
  const double r = params[0], alpha = params[1], a = params[2], b = params[3];
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0, 1);
  Summary summary;
  for (size_t i = 0; i < n; ++i) {
    const double lambda = Gamma(rng, r, alpha);
    const double ga = Gamma(rng, a, 1), gb = Gamma(rng, b, 1);
    const double p = ga / (ga + gb);  // Beta(a, b)
    const double horizon = T[i % T.size()];
    Recorder recorder(round_to);
    std::exponential_distribution<double> wait(lambda);
    // After each repeat purchase the customer drops out with probability p.
    for (double t = wait(rng); t <= horizon; t += wait(rng)) {
      recorder.Purchase(t);
      if (uniform(rng) < p) break;
    }
    Append(summary, recorder, horizon);
  }
  return summary;
}

Summary SimulateParetoNbd(const std::vector<double>& params, size_t n, const std::vector<double>& T,
                          uint64_t seed, double round_to) {
  const double r = params[0], alpha = params[1], s = params[2], beta = params[3];
  std::mt19937_64 rng(seed);
  Summary summary;
  for (size_t i = 0; i < n; ++i) {
    const double lambda = Gamma(rng, r, alpha), mu = Gamma(rng, s, beta);
    const double lifetime = std::exponential_distribution<double>(mu)(rng);
    const double horizon = T[i % T.size()];
    Recorder recorder(round_to);
    std::exponential_distribution<double> wait(lambda);
    for (double t = wait(rng); t <= std::min(horizon, lifetime); t += wait(rng)) {
      recorder.Purchase(t);
    }
    Append(summary, recorder, horizon);
  }
  return summary;
}

void SimulateGammaGamma(const std::vector<double>& params, Summary& summary, uint64_t seed) {
  const double p = params[0], q = params[1], gamma = params[2];
  std::mt19937_64 rng(seed);
  summary.monetary.assign(summary.size(), 0.0);
  for (size_t i = 0; i < summary.size(); ++i) {
    const double nu = Gamma(rng, q, gamma);
    if (summary.x[i] <= 0) continue;
    double total = 0;
    for (int k = 0; k < static_cast<int>(summary.x[i]); ++k) total += Gamma(rng, p, nu);
    summary.monetary[i] = total / summary.x[i];
  }
}

}  // namespace segmenta::value

// A small, fast, seedable PRNG for the demo generator (xoshiro256** seeded by splitmix64).
//
// Every customer gets its own streams, derived from (seed, customer index, stream), so
// customers can be generated in any order, on any thread, with identical results:
//
//   Rng rng = Rng::ForCustomer(seed, customer_idx, RngStream::kDetail);
//   double u = rng.Uniform();          // [0, 1)
//   int64_t k = rng.UniformInt(6);     // 0..5
//
// Not cryptographic. Not thread-safe; each thread uses its own Rng.
#ifndef SEGMENTA_DEMO_RNG_H_
#define SEGMENTA_DEMO_RNG_H_

#include <cmath>
#include <cstdint>
#include <span>

namespace segmenta::demo_internal {

// Independent random streams of one customer.
enum class RngStream : uint64_t {
  kPlan = 1,      // behaviour type and purchase count (drawn twice: planning + generation)
  kDetail = 2,    // attributes and events
  kDirty = 3,     // which rows get a defect, and which
  kDirtyRow = 4,  // attributes of injected extra customer rows
  kExtra = 5,     // fields added later (phone numbers, CSAT surveys): a stream of their own,
                  // so that the fields drawn before them keep their values
};

inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t sm = seed;
    for (uint64_t& word : state_) word = SplitMix64(sm);
  }

  static Rng ForCustomer(uint64_t seed, int64_t customer_idx, RngStream stream) {
    uint64_t mix = seed;
    uint64_t key = SplitMix64(mix) ^ (static_cast<uint64_t>(customer_idx) * 0xD1B54A32D192ED03ULL);
    key ^= static_cast<uint64_t>(stream) * 0x8CB92BA72F3D8DD7ULL;
    return Rng(key);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n); n > 0.
  int64_t UniformInt(int64_t n) {
    return static_cast<int64_t>(
        (static_cast<unsigned __int128>(Next()) * static_cast<uint64_t>(n)) >> 64);
  }
  // Uniform integer in [lo, hi].
  int64_t UniformInt(int64_t lo, int64_t hi) { return lo + UniformInt(hi - lo + 1); }
  bool Bernoulli(double p) { return Uniform() < p; }

  // Standard normal (Box-Muller, one value per call).
  double Normal() {
    const double u1 = 1.0 - Uniform();  // (0, 1]
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double Normal(double mean, double sd) { return mean + sd * Normal(); }
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }

  // Poisson(lambda); exact for small lambda, normal approximation above 30.
  int64_t Poisson(double lambda) {
    if (lambda <= 0) return 0;
    if (lambda > 30) {
      const double draw = std::round(Normal(lambda, std::sqrt(lambda)));
      return draw < 0 ? 0 : static_cast<int64_t>(draw);
    }
    const double limit = std::exp(-lambda);
    int64_t count = 0;
    double product = Uniform();
    while (product > limit) {
      ++count;
      product *= Uniform();
    }
    return count;
  }

  // Index drawn with probability proportional to weights[idx]; weights not all zero.
  int Pick(std::span<const double> weights) {
    double total = 0;
    for (double weight : weights) total += weight;
    double target = Uniform() * total;
    int last_positive = 0;
    for (size_t idx = 0; idx < weights.size(); ++idx) {
      if (weights[idx] <= 0) continue;
      last_positive = static_cast<int>(idx);
      target -= weights[idx];
      if (target < 0) return last_positive;
    }
    return last_positive;  // only reached through rounding
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t state_[4];
};

}  // namespace segmenta::demo_internal

#endif  // SEGMENTA_DEMO_RNG_H_

// kmeans_bench: times Segmenta's k-means on data that scikit-learn reads too
// (bench/cluster/kmeans.sh runs both and prints the comparison).
//
//   kmeans_bench generate --rows 1000000 --cols 8 --k 8 --seed 1
//       --data bench/out/x.npy --init bench/out/init.npy     # blobs + greedy k-means++ seeds
//   kmeans_bench fit --data x.npy --init init.npy --type f64 --algorithm hamerly
//       --max-iter 20 --tol 0 --runs 3 --threads 2             # one JSON line per run
//   kmeans_bench seed --data x.npy --k 8 --runs 3 --threads 2  # seeding time
//   kmeans_bench bandwidth --threads 2                          # read bandwidth, GB/s
//
// Files are NumPy .npy (little-endian float64, C order), so both sides see identical
// values; `--type f32` rounds them to float after reading. `fit` prints, per run: total
// time, the first iteration (from the call to the first iteration's end: it includes the
// finiteness/mean pass), the mean of iterations 2.., iterations and the exact inertia.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/parallel.h"
#include "segmenta/kmeans.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// --name value pairs after the subcommand.
using Flags = std::map<std::string, std::string>;

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int index = 2; index + 1 < argc; index += 2) {
    std::string name = argv[index];
    if (name.rfind("--", 0) == 0) flags[name.substr(2)] = argv[index + 1];
  }
  return flags;
}

std::string Flag(const Flags& flags, const std::string& name, const std::string& fallback) {
  auto found = flags.find(name);
  return found == flags.end() ? fallback : found->second;
}

long long IntFlag(const Flags& flags, const std::string& name, long long fallback) {
  return std::stoll(Flag(flags, name, std::to_string(fallback)));
}

// ---- .npy (version 1.0, '<f8', C order, 2-D) --------------------------------------------

bool WriteNpy(const std::string& path, const segmenta::Matrix<double>& matrix) {
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" +
                       std::to_string(matrix.rows()) + ", " + std::to_string(matrix.cols()) +
                       "), }";
  const size_t unpadded = 10 + header.size() + 1;  // magic, version, length, header, '\n'
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::ofstream out(path, std::ios::binary);
  const uint16_t length = static_cast<uint16_t>(header.size());
  out.write("\x93NUMPY\x01\x00", 8);
  out.write(reinterpret_cast<const char*>(&length), 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(matrix.values().data()),
            static_cast<std::streamsize>(matrix.values().size() * sizeof(double)));
  return static_cast<bool>(out);
}

bool ReadNpy(const std::string& path, segmenta::Matrix<double>& matrix) {
  std::ifstream in(path, std::ios::binary);
  char magic[8];
  uint16_t length = 0;
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY\x01", 7) != 0) return false;
  in.read(reinterpret_cast<char*>(&length), 2);
  std::string header(length, '\0');
  in.read(header.data(), length);
  if (header.find("'<f8'") == std::string::npos || header.find("True") != std::string::npos) {
    return false;
  }
  size_t rows = 0, cols = 0;
  const size_t shape = header.find("'shape': (");
  if (shape == std::string::npos ||
      std::sscanf(header.c_str() + shape, "'shape': (%zu, %zu)", &rows, &cols) != 2) {
    return false;
  }
  matrix = segmenta::Matrix<double>(rows, cols);
  in.read(reinterpret_cast<char*>(matrix.values().data()),
          static_cast<std::streamsize>(rows * cols * sizeof(double)));
  return static_cast<bool>(in);
}

template <typename T>
segmenta::Matrix<T> Convert(const segmenta::Matrix<double>& source) {
  segmenta::Matrix<T> converted(source.rows(), source.cols());
  std::transform(source.values().begin(), source.values().end(), converted.values().begin(),
                 [](double value) { return static_cast<T>(value); });
  return converted;
}

// ---- generate -----------------------------------------------------------------------------

// Gaussian blobs that overlap: `blobs` centres uniform in [-5, 5]^cols, standard deviation
// 1.5, unequal weights. k-means needs tens of iterations on them, as on real data.
segmenta::Matrix<double> Blobs(size_t rows, size_t cols, int blobs, uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<double> centre(-5.0, 5.0);
  std::normal_distribution<double> noise(0.0, 1.5);
  std::vector<double> centres(blobs * cols), weights(blobs);
  for (double& value : centres) value = centre(engine);
  for (int blob = 0; blob < blobs; ++blob) weights[blob] = 1.0 + blob % 3;
  std::discrete_distribution<int> pick(weights.begin(), weights.end());
  segmenta::Matrix<double> data(rows, cols);
  for (size_t row = 0; row < rows; ++row) {
    const int blob = pick(engine);
    for (size_t col = 0; col < cols; ++col) {
      data(row, col) = centres[blob * cols + col] + noise(engine);
    }
  }
  return data;
}

int Generate(const Flags& flags) {
  const size_t rows = IntFlag(flags, "rows", 1'000'000), cols = IntFlag(flags, "cols", 8);
  const int k = static_cast<int>(IntFlag(flags, "k", 8));
  const uint64_t seed = IntFlag(flags, "seed", 1);
  const segmenta::Matrix<double> data = Blobs(rows, cols, k + 2, seed);
  segmenta::KMeansOptions options;
  options.k = k;
  options.seed = seed;
  auto initial = segmenta::SeedCentroids(data.view(), options);
  if (!initial.ok()) {
    std::fprintf(stderr, "%s\n", initial.status().ToString().c_str());
    return 1;
  }
  if (!WriteNpy(Flag(flags, "data", "x.npy"), data) ||
      !WriteNpy(Flag(flags, "init", "init.npy"), *initial)) {
    std::fprintf(stderr, "kmeans_bench: cannot write the .npy files\n");
    return 1;
  }
  return 0;
}

// ---- fit ----------------------------------------------------------------------------------

segmenta::KMeansAlgorithm ParseAlgorithm(const std::string& name) {
  if (name == "lloyd") return segmenta::KMeansAlgorithm::kLloyd;
  if (name == "minibatch") return segmenta::KMeansAlgorithm::kMiniBatch;
  return segmenta::KMeansAlgorithm::kHamerly;
}

template <typename T>
int FitRuns(const Flags& flags, const segmenta::Matrix<double>& data64,
            const segmenta::Matrix<double>& init64) {
  const segmenta::Matrix<T> data = Convert<T>(data64), initial = Convert<T>(init64);
  segmenta::KMeansOptions options;
  options.algorithm = ParseAlgorithm(Flag(flags, "algorithm", "hamerly"));
  options.max_iterations = static_cast<int>(IntFlag(flags, "max-iter", 300));
  options.tolerance = std::stod(Flag(flags, "tol", "1e-4"));
  options.threads = static_cast<int>(IntFlag(flags, "threads", 2));
  std::vector<Clock::time_point> marks;
  options.progress = [&marks](const segmenta::KMeansProgress&) { marks.push_back(Clock::now()); };
  const int runs = static_cast<int>(IntFlag(flags, "runs", 3));
  for (int run = 0; run < runs; ++run) {
    marks.clear();
    const Clock::time_point start = Clock::now();
    auto fit = segmenta::RunKMeansFrom(data.view(), initial.view(), options);
    const Clock::time_point stop = Clock::now();
    if (!fit.ok()) {
      std::fprintf(stderr, "%s\n", fit.status().ToString().c_str());
      return 1;
    }
    const double later =
        marks.size() > 1 ? Seconds(marks.front(), marks.back()) / (marks.size() - 1) : 0.0;
    std::printf(
        "{\"impl\": \"segmenta\", \"algorithm\": \"%s\", \"type\": \"%s\", \"rows\": %zu, "
        "\"cols\": %zu, \"k\": %zu, \"threads\": %d, \"max_iter\": %d, \"tol\": %g, "
        "\"run\": %d, \"seconds\": %.6f, \"iterations\": %d, \"converged\": %s, "
        "\"per_iteration_ms\": %.4f, \"first_iteration_ms\": %.4f, "
        "\"later_iteration_ms\": %.4f, \"inertia\": %.17g}\n",
        Flag(flags, "algorithm", "hamerly").c_str(), sizeof(T) == 4 ? "f32" : "f64", data.rows(),
        data.cols(), initial.rows(), options.threads, options.max_iterations, options.tolerance,
        run, Seconds(start, stop), fit->iterations, fit->converged ? "true" : "false",
        1e3 * Seconds(start, stop) / fit->iterations, 1e3 * Seconds(start, marks.front()),
        1e3 * later, fit->inertia);
    std::fflush(stdout);
  }
  return 0;
}

int Fit(const Flags& flags) {
  segmenta::Matrix<double> data, initial;
  if (!ReadNpy(Flag(flags, "data", "x.npy"), data) ||
      !ReadNpy(Flag(flags, "init", "init.npy"), initial)) {
    std::fprintf(stderr, "kmeans_bench: cannot read --data / --init (float64 .npy)\n");
    return 1;
  }
  if (Flag(flags, "type", "f64") == "f32") return FitRuns<float>(flags, data, initial);
  return FitRuns<double>(flags, data, initial);
}

// ---- seed ---------------------------------------------------------------------------------

int Seed(const Flags& flags) {
  segmenta::Matrix<double> data;
  if (!ReadNpy(Flag(flags, "data", "x.npy"), data)) {
    std::fprintf(stderr, "kmeans_bench: cannot read --data (float64 .npy)\n");
    return 1;
  }
  segmenta::KMeansOptions options;
  options.k = static_cast<int>(IntFlag(flags, "k", 8));
  options.threads = static_cast<int>(IntFlag(flags, "threads", 2));
  const int runs = static_cast<int>(IntFlag(flags, "runs", 3));
  for (int run = 0; run < runs; ++run) {
    options.seed = run;
    const Clock::time_point start = Clock::now();
    auto seeds = segmenta::SeedCentroids(data.view(), options);
    const double seconds = Seconds(start, Clock::now());
    if (!seeds.ok()) return 1;
    std::printf(
        "{\"impl\": \"segmenta\", \"what\": \"seeding\", \"rows\": %zu, \"k\": %d, "
        "\"threads\": %d, \"run\": %d, \"seconds\": %.6f}\n",
        data.rows(), options.k, options.threads, run, seconds);
  }
  return 0;
}

// ---- bandwidth ----------------------------------------------------------------------------

// Best-of-5 read bandwidth: `threads` threads summing a 1 GiB array of doubles.
int Bandwidth(const Flags& flags) {
  const int threads = static_cast<int>(IntFlag(flags, "threads", 2));
  const size_t count = (size_t{1} << 30) / sizeof(double);
  std::vector<double> values(count);
  segmenta::ParallelFor(count, threads, [&](size_t begin, size_t end, int) {
    for (size_t index = begin; index < end; ++index) values[index] = static_cast<double>(index & 7);
  });
  double best = 0, checksum = 0;
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<double> partial(threads, 0.0);
    const Clock::time_point start = Clock::now();
    segmenta::ParallelFor(count, threads, [&](size_t begin, size_t end, int chunk) {
      double lanes[8] = {};
      size_t index = begin;
      for (; index + 8 <= end; index += 8) {
        for (int lane = 0; lane < 8; ++lane) lanes[lane] += values[index + lane];
      }
      for (; index < end; ++index) lanes[0] += values[index];
      for (double lane : lanes) partial[chunk] += lane;
    });
    const double seconds = Seconds(start, Clock::now());
    for (double sum : partial) checksum += sum;
    best = std::max(best, count * sizeof(double) / seconds / 1e9);
  }
  std::printf(
      "{\"what\": \"bandwidth\", \"threads\": %d, \"gb_per_s\": %.3f, \"checksum\": %.0f}\n",
      threads, best, checksum);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  const Flags flags = ParseFlags(argc, argv);
  if (command == "generate") return Generate(flags);
  if (command == "fit") return Fit(flags);
  if (command == "seed") return Seed(flags);
  if (command == "bandwidth") return Bandwidth(flags);
  std::fprintf(stderr, "usage: kmeans_bench generate|fit|seed|bandwidth [--flag value]...\n");
  return 2;
}

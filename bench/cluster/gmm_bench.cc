// Gaussian mixtures and cluster-quality metrics, timed on the data that
// bench/cluster/sklearn_gmm.py gives scikit-learn; bench/cluster/gmm.sh runs both and
// prints the table.
//
//   gmm_bench generate DIR [rows=1000000]  writes DIR/data.f64 (rows × 8 float64, row-major),
//                                          DIR/means.f64 (8 × 8 initial means), DIR/labels.i32
//                                          (each row's true component), DIR/shape.txt
//   gmm_bench run DIR [runs=3] [threads=2] prints one JSON line per measurement: the
//                                          seconds of each run, their median and the result
//
// The data: 8 overlapping Gaussian components in 8 dimensions with random correlated
// covariances and unequal weights, so that EM needs tens of iterations; the initial
// means are 8 random rows.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "segmenta/cluster_metrics.h"
#include "segmenta/mixture.h"

namespace {

using segmenta::Matrix;
using segmenta::MatrixView;

constexpr size_t kDims = 8;
constexpr int kComponents = 8;
constexpr uint64_t kSeed = 20261123;

struct Dataset {
  Matrix<double> data;
  Matrix<double> means;
  std::vector<int32_t> labels;
};

template <typename T>
bool WriteRaw(const std::string& path, const std::vector<T>& values) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
  return out.good();
}

template <typename T>
bool ReadRaw(const std::string& path, std::vector<T>& values) {
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(values.data()), values.size() * sizeof(T));
  return in.good();
}

// One component: a mean and a lower-triangular factor of its covariance.
struct Source {
  std::vector<double> mean;
  std::vector<double> factor;  // kDims × kDims, lower triangle used
};

std::vector<Source> MakeSources(std::mt19937_64& random) {
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> spread(-3.0, 3.0), scale(0.5, 1.5);
  std::vector<Source> sources(kComponents);
  for (Source& source : sources) {
    for (size_t dim = 0; dim < kDims; ++dim) source.mean.push_back(spread(random));
    source.factor.assign(kDims * kDims, 0.0);
    for (size_t row = 0; row < kDims; ++row) {
      source.factor[row * kDims + row] = scale(random);
      for (size_t col = 0; col < row; ++col)
        source.factor[row * kDims + col] = 0.4 * normal(random);
    }
  }
  return sources;
}

Dataset Generate(size_t rows) {
  std::mt19937_64 random(kSeed);
  std::vector<Source> sources = MakeSources(random);
  std::discrete_distribution<int32_t> pick({3, 1, 2, 1, 4, 2, 1, 2});
  std::normal_distribution<double> normal(0.0, 1.0);
  Dataset out{Matrix<double>(rows, kDims), Matrix<double>(kComponents, kDims), {}};
  out.labels.resize(rows);
  double noise[kDims];
  for (size_t row_idx = 0; row_idx < rows; ++row_idx) {
    int32_t comp = pick(random);
    const Source& source = sources[comp];
    for (double& value : noise) value = normal(random);
    for (size_t dim = 0; dim < kDims; ++dim) {
      double value = source.mean[dim];
      for (size_t col = 0; col <= dim; ++col)
        value += source.factor[dim * kDims + col] * noise[col];
      out.data(row_idx, dim) = value;
    }
    out.labels[row_idx] = comp;
  }
  std::uniform_int_distribution<size_t> any_row(0, rows - 1);
  for (int comp = 0; comp < kComponents; ++comp) {
    size_t row_idx = any_row(random);
    std::copy(out.data.row(row_idx), out.data.row(row_idx) + kDims, out.means.row(comp));
  }
  return out;
}

int GenerateCommand(const std::string& dir, size_t rows) {
  Dataset set = Generate(rows);
  bool ok = WriteRaw(dir + "/data.f64", set.data.values()) &&
            WriteRaw(dir + "/means.f64", set.means.values()) &&
            WriteRaw(dir + "/labels.i32", set.labels);
  std::ofstream(dir + "/shape.txt") << rows << " " << kDims << " " << kComponents << "\n";
  if (!ok) std::fprintf(stderr, "gmm_bench: cannot write to %s\n", dir.c_str());
  return ok ? 0 : 1;
}

bool Load(const std::string& dir, Dataset& set) {
  size_t rows = 0, dims = 0, k = 0;
  std::ifstream(dir + "/shape.txt") >> rows >> dims >> k;
  if (rows == 0 || dims != kDims || k != static_cast<size_t>(kComponents)) return false;
  set.data = Matrix<double>(rows, dims);
  set.means = Matrix<double>(k, dims);
  set.labels.resize(rows);
  return ReadRaw(dir + "/data.f64", set.data.values()) &&
         ReadRaw(dir + "/means.f64", set.means.values()) &&
         ReadRaw(dir + "/labels.i32", set.labels);
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
}

// Runs `once` `runs` times; prints {"method", "seconds": [...], "median", <extra>}.
// `once` returns the JSON fields describing its result.
template <typename Fn>
void Measure(const char* method, int runs, Fn once) {
  std::vector<double> seconds;
  std::string fields;
  for (int run = 0; run < runs; ++run) {
    auto start = std::chrono::steady_clock::now();
    fields = once();
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::string list;
  for (double value : seconds) list += (list.empty() ? "" : ", ") + std::to_string(value);
  std::printf(
      "{\"side\": \"segmenta\", \"method\": \"%s\", \"seconds\": [%s], \"median\": %.6f%s}\n",
      method, list.c_str(), Median(seconds), fields.c_str());
  std::fflush(stdout);
}

std::string Number(const char* name, double value) {
  char text[96];
  std::snprintf(text, sizeof(text), ", \"%s\": %.17g", name, value);
  return text;
}

int RunCommand(const std::string& dir, int runs, int threads) {
  Dataset set;
  if (!Load(dir, set)) {
    std::fprintf(stderr, "gmm_bench: no data in %s (run `gmm_bench generate %s` first)\n",
                 dir.c_str(), dir.c_str());
    return 1;
  }
  for (segmenta::Covariance covariance :
       {segmenta::Covariance::kFull, segmenta::Covariance::kDiagonal}) {
    segmenta::GaussianMixtureOptions options;
    options.k = kComponents;
    options.covariance = covariance;
    options.threads = threads;  // max_iterations 100, tolerance 1e-3: scikit-learn's defaults
    bool full = covariance == segmenta::Covariance::kFull;
    Measure(full ? "gmm_full" : "gmm_diag", runs, [&] {
      auto fit = segmenta::FitGaussianMixtureFrom(set.data.view(), set.means.view(), options);
      if (!fit.ok()) return std::string(", \"error\": \"") + fit.status().message() + "\"";
      return Number("iterations", fit->iterations) +
             Number("mean_log_likelihood", fit->mean_log_likelihood) + Number("bic", fit->bic);
    });
  }
  segmenta::SilhouetteOptions sampled;
  sampled.sample_size = 10000;
  sampled.threads = threads;
  Measure("silhouette_10000", runs, [&] {
    return Number("value", *segmenta::Silhouette(set.data.view(), set.labels, sampled));
  });
  Measure("calinski_harabasz", runs, [&] {
    return Number("value", *segmenta::CalinskiHarabasz(set.data.view(), set.labels, kComponents));
  });
  Measure("davies_bouldin", runs, [&] {
    return Number("value", *segmenta::DaviesBouldin(set.data.view(), set.labels, kComponents));
  });
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string command = argc > 1 ? argv[1] : "";
  if (command == "generate" && argc > 2) {
    return GenerateCommand(argv[2], argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1000000);
  }
  if (command == "run" && argc > 2) {
    return RunCommand(argv[2], argc > 3 ? std::atoi(argv[3]) : 3,
                      argc > 4 ? std::atoi(argv[4]) : 2);
  }
  std::fprintf(stderr,
               "usage: gmm_bench generate DIR [rows] | gmm_bench run DIR [runs] [threads]\n");
  return 2;
}

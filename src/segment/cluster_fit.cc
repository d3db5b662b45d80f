// Fitting one clustering of prepared customers and choosing k (see cluster_fit.h).
#include "segment/cluster_fit.h"

#include <cmath>
#include <limits>

#include "segment/format.h"
#include "segmenta/cluster_metrics.h"
#include "segmenta/kmeans.h"
#include "segmenta/kprototypes.h"
#include "segmenta/mixture.h"

namespace segmenta::segment {
namespace {

constexpr size_t kSilhouetteSample = 10000;  // rows the silhouette of each k is computed on
constexpr double kSilhouetteSlack = 0.01;    // silhouettes this close to the best are ties

Result<Clustering> FitKMeans(const SegmentationConfig& config, const PreparedData& data, int k) {
  KMeansOptions options;
  options.k = k;
  options.restarts = config.restarts;
  options.seed = static_cast<uint64_t>(config.seed);
  SEG_ASSIGN_OR_RETURN(KMeansFit<double> fit, RunKMeans(data.numeric.view(), options));
  Clustering out;
  out.k = k;
  out.labels = std::move(fit.labels);
  out.centroids = std::move(fit.centroids);
  out.cost = fit.inertia;
  out.extra = {{"iterations", fit.iterations}, {"converged", fit.converged}};
  return out;
}

Result<Clustering> FitKPrototypes(const SegmentationConfig& config, const PreparedData& data,
                                  int k) {
  KPrototypesOptions options;
  options.k = k;
  options.restarts = config.restarts;
  options.seed = static_cast<uint64_t>(config.seed);
  if (config.gamma >= 0) options.gamma = config.gamma;
  SEG_ASSIGN_OR_RETURN(KPrototypesFit fit,
                       RunKPrototypes(data.numeric.view(), data.categories.view(), options));
  Clustering out;
  out.k = k;
  out.labels = std::move(fit.labels);
  out.centroids = std::move(fit.centroids);
  out.modes = std::move(fit.modes);
  out.cost = fit.cost;
  out.gamma = fit.gamma;
  out.extra = {{"iterations", fit.iterations}, {"converged", fit.converged}};
  return out;
}

Result<Clustering> FitMixture(const SegmentationConfig& config, const PreparedData& data, int k) {
  GaussianMixtureOptions options;
  options.k = k;
  options.covariance = config.covariance == "full" ? Covariance::kFull : Covariance::kDiagonal;
  options.restarts = config.restarts;
  options.seed = static_cast<uint64_t>(config.seed);
  SEG_ASSIGN_OR_RETURN(GaussianMixtureFit fit, FitGaussianMixture(data.numeric.view(), options));
  Clustering out;
  out.k = k;
  out.labels = std::move(fit.labels);
  out.centroids = std::move(fit.means);
  out.cost = -fit.log_likelihood;
  out.bic = fit.bic;
  out.probability.resize(out.labels.size());
  for (size_t row = 0; row < out.labels.size(); ++row) {
    out.probability[row] = fit.probabilities(row, out.labels[row]);
  }
  out.extra = {{"iterations", fit.iterations},
               {"converged", fit.converged},
               {"weights", fit.weights},
               {"log_likelihood", fit.log_likelihood}};
  return out;
}

}  // namespace

Result<Clustering> FitClustering(const SegmentationConfig& config, const PreparedData& data,
                                 int k) {
  if (static_cast<size_t>(k) > data.numeric.rows()) {
    return Status::InvalidArgument("segmentation '" + config.name + "': k = " + std::to_string(k) +
                                   " but there are only " + std::to_string(data.numeric.rows()) +
                                   " customers");
  }
  if (config.method == "kprototypes") return FitKPrototypes(config, data, k);
  if (config.method == "gmm") return FitMixture(config, data, k);
  return FitKMeans(config, data, k);
}

namespace {

json FigureOrNull(const Result<double>& value) {
  return value.ok() && std::isfinite(*value) ? json(*value) : json(nullptr);
}

}  // namespace

// The quality figures of one clustering. Silhouette, Calinski–Harabasz and
// Davies–Bouldin are Euclidean, on the prepared numeric columns (for k-prototypes the
// categories are left out of them).
json ClusterFigures(const SegmentationConfig& config, const PreparedData& data,
                    const Clustering& fit) {
  MatrixView<double> view = data.numeric.view();
  SilhouetteOptions silhouette;
  silhouette.sample_size = kSilhouetteSample;
  silhouette.seed = static_cast<uint64_t>(config.seed);
  json figures = {{"k", fit.k},
                  {config.method == "gmm" ? "neg_log_likelihood" : "inertia", fit.cost},
                  {"silhouette", FigureOrNull(Silhouette(view, fit.labels, silhouette))},
                  {"calinski_harabasz", FigureOrNull(CalinskiHarabasz(view, fit.labels, fit.k))},
                  {"davies_bouldin", FigureOrNull(DaviesBouldin(view, fit.labels, fit.k))}};
  if (config.method == "gmm") figures["bic"] = fit.bic;
  return figures;
}

// The stated rule: for mixtures the lowest BIC; otherwise, among the k whose sampled
// silhouette is within kSilhouetteSlack of the highest, the previous snapshot's k (so
// the number of segments does not churn on near-ties), else the smallest (simpler
// segmentations win near-ties); the smallest k when no k has a silhouette.

size_t PickK(const SegmentationConfig& config, const json& search, int previous_k) {
  size_t best = 0;
  if (config.method == "gmm") {
    for (size_t index = 1; index < search.size(); ++index) {
      if (search[index]["bic"].get<double>() < search[best]["bic"].get<double>()) best = index;
    }
    return best;
  }
  double top = -std::numeric_limits<double>::infinity();
  for (const json& figures : search) {
    if (!figures["silhouette"].is_null()) top = std::max(top, figures["silhouette"].get<double>());
  }
  std::vector<size_t> near;
  for (size_t index = 0; index < search.size(); ++index) {
    const json& silhouette = search[index]["silhouette"];
    if (!silhouette.is_null() && silhouette.get<double>() >= top - kSilhouetteSlack) {
      near.push_back(index);
    }
  }
  for (size_t index : near) {
    if (search[index]["k"].get<int>() == previous_k) return index;
  }
  return near.empty() ? 0 : near.front();
}

std::string PickRule(const SegmentationConfig& config) {
  if (config.method == "gmm") return "lowest BIC";
  return "among the k with a silhouette within " + Fixed(kSilhouetteSlack, 2) +
         " of the highest (on a seeded sample of " + Count(kSilhouetteSample) +
         " customers): the previous snapshot's k, else the smallest";
}

}  // namespace segmenta::segment

// Customer summaries: validation, and the compressed forms the likelihoods read.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <tuple>

#include "segment/value/likelihood.h"
#include "segmenta/value.h"

namespace segmenta::value {
namespace {

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", value);
  return text;
}

Status Bad(size_t row, const std::string& what) {
  return Status::InvalidArgument("customer " + std::to_string(row) + ": " + what);
}

}  // namespace

Status ValidateSummary(const Summary& summary) {
  const size_t n = summary.x.size();
  if (summary.t_x.size() != n || summary.T.size() != n ||
      (!summary.monetary.empty() && summary.monetary.size() != n)) {
    return Status::InvalidArgument("summary columns differ in length: x " + std::to_string(n) +
                                   ", t_x " + std::to_string(summary.t_x.size()) + ", T " +
                                   std::to_string(summary.T.size()) + ", monetary " +
                                   std::to_string(summary.monetary.size()));
  }
  for (size_t i = 0; i < n; ++i) {
    const double x = summary.x[i], t_x = summary.t_x[i], T = summary.T[i];
    if (!std::isfinite(x) || x < 0 || x != std::floor(x)) {
      return Bad(i, "x = " + Number(x) + " is not a whole number of repeat purchases >= 0");
    }
    if (!std::isfinite(T) || T < 0) return Bad(i, "T = " + Number(T) + " is not a time >= 0");
    if (!std::isfinite(t_x) || t_x < 0 || t_x > T) {
      return Bad(i, "t_x = " + Number(t_x) + " is not between 0 and T = " + Number(T));
    }
    if (x == 0 && t_x != 0) {
      return Bad(i, "t_x = " + Number(t_x) + " but x = 0: without repeat purchases t_x is 0");
    }
    if (!summary.monetary.empty()) {
      const double m = summary.monetary[i];
      if (!std::isfinite(m) || m < 0) return Bad(i, "monetary = " + Number(m) + " is not >= 0");
    }
  }
  return Status::Ok();
}

PurchaseData CompressPurchases(const Summary& summary) {
  struct Row {
    double x, T, t_x;
  };
  const size_t n = summary.size();
  std::vector<Row> rows(n);
  for (size_t i = 0; i < n; ++i) rows[i] = {summary.x[i], summary.T[i], summary.t_x[i]};
  auto key = [](const Row& row) { return std::tie(row.x, row.T, row.t_x); };
  std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) { return key(a) < key(b); });

  PurchaseData data;
  data.customers = static_cast<double>(n);
  data.times.reserve(2 * n);
  for (const Row& row : rows) {
    data.times.push_back(row.T);
    data.times.push_back(row.t_x);
  }
  std::sort(data.times.begin(), data.times.end());
  data.times.erase(std::unique(data.times.begin(), data.times.end()), data.times.end());
  auto index_of = [&](double time) {
    return static_cast<uint32_t>(std::lower_bound(data.times.begin(), data.times.end(), time) -
                                 data.times.begin());
  };
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && key(rows[i]) == key(rows[i - 1])) {
      data.weight.back() += 1;
      continue;
    }
    if (data.xs.empty() || rows[i].x != data.xs.back()) {
      data.xs.push_back(rows[i].x);
      data.x_begin.push_back(data.weight.size());
    }
    data.T.push_back(index_of(rows[i].T));
    data.tx.push_back(index_of(rows[i].t_x));
    data.weight.push_back(1);
  }
  data.x_begin.push_back(data.weight.size());
  return data;
}

OrderData CollectOrders(const Summary& summary) {
  OrderData data;
  std::vector<size_t> order;
  for (size_t i = 0; i < summary.size() && !summary.monetary.empty(); ++i) {
    if (summary.x[i] > 0 && summary.monetary[i] > 0) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return summary.x[a] < summary.x[b]; });
  for (size_t i : order) {
    data.x.push_back(summary.x[i]);
    data.m.push_back(summary.monetary[i]);
    data.log_m.push_back(std::log(summary.monetary[i]));
    data.weight.push_back(1);
  }
  data.customers = static_cast<double>(data.weight.size());
  return data;
}

namespace {

// Every step-th index of [0, n), starting at step / 2.
std::vector<size_t> EvenlySpaced(size_t n, size_t max_rows) {
  std::vector<size_t> picked;
  const double step = static_cast<double>(n) / static_cast<double>(max_rows);
  for (size_t k = 0; k < max_rows; ++k) {
    picked.push_back(std::min(n - 1, static_cast<size_t>((k + 0.5) * step)));
  }
  return picked;
}

}  // namespace

PurchaseData SamplePurchases(const PurchaseData& data, size_t max_rows) {
  if (data.rows() <= max_rows) return data;
  PurchaseData sample;
  sample.times = data.times;
  sample.customers = data.customers;
  size_t group = 0;
  double kept = 0;
  for (size_t row : EvenlySpaced(data.rows(), max_rows)) {
    while (data.x_begin[group + 1] <= row) ++group;
    if (sample.xs.empty() || sample.xs.back() != data.xs[group]) {
      sample.xs.push_back(data.xs[group]);
      sample.x_begin.push_back(sample.weight.size());
    }
    sample.T.push_back(data.T[row]);
    sample.tx.push_back(data.tx[row]);
    sample.weight.push_back(data.weight[row]);
    kept += data.weight[row];
  }
  sample.x_begin.push_back(sample.weight.size());
  for (double& weight : sample.weight) weight *= data.customers / kept;
  return sample;
}

OrderData SampleOrders(const OrderData& data, size_t max_rows) {
  if (data.rows() <= max_rows) return data;
  OrderData sample;
  sample.customers = data.customers;
  for (size_t row : EvenlySpaced(data.rows(), max_rows)) {
    sample.x.push_back(data.x[row]);
    sample.m.push_back(data.m[row]);
    sample.log_m.push_back(data.log_m[row]);
    sample.weight.push_back(data.customers / static_cast<double>(max_rows));
  }
  return sample;
}

double FrequencyValueCorrelation(const Summary& summary) {
  OrderData orders = CollectOrders(summary);
  const double n = static_cast<double>(orders.rows());
  if (n < 2) return std::nan("");
  const double mean_x = std::accumulate(orders.x.begin(), orders.x.end(), 0.0) / n;
  const double mean_m = std::accumulate(orders.m.begin(), orders.m.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < orders.rows(); ++i) {
    const double dx = orders.x[i] - mean_x, dm = orders.m[i] - mean_m;
    sxy += dx * dm;
    sxx += dx * dx;
    syy += dm * dm;
  }
  return sxy / std::sqrt(sxx * syy);
}

}  // namespace segmenta::value

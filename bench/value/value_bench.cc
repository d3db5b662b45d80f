// BG/NBD and Gamma–Gamma fits and predictions timed on customer summaries that
// bench/value/bgnbd_scipy.py fits with scipy; bench/value/run.sh runs both and prints the
// table of bench/README.md ("Value models"). Public API only (segmenta/value.h).
//
//   value_bench simulate --customers N --out FILE.csv [--seed S]
//       N customers from BG/NBD and Gamma–Gamma with the CDNOW parameters, observed for
//       T = day/7 weeks (day = 182..546, customer i gets day 182 + i % 365), purchase
//       times on whole days (round_to = 1/7); writes x,t_x,T,monetary.
//   value_bench fit --summary FILE.csv [--repeat K] [--threads T]
//       K timed runs each of Fit(kBgNbd), Fit(kGammaGamma) and Predict (horizon 90/7
//       weeks, CLV 12 months, from the fitted models); prints medians as one JSON line.
//   value_bench total --summary FILE.csv [--threads T]
//       Reads the file, then Fit(kBgNbd) + Fit(kGammaGamma) + Predict once: the run whose
//       peak RSS run.sh measures with /usr/bin/time -v; prints each step's seconds.
//   value_bench parts --summary FILE.csv [--repeat K] [--threads T]
//       Where the fit's time goes, from outside: ValidateSummary, LogLikelihood at the
//       fitted parameters (validation + compression + one evaluation), the fit with one
//       start and with the default four.
//   value_bench bgnbd --summary FILE.csv [--repeat K] [--threads T]
//       Only K BG/NBD fits after reading the file: the command to run under perf.
//
// FILE.csv: a header naming x (or frequency), t_x (or recency), T and optionally
// monetary (or zbar); other columns (ID) are skipped. So CDNOW's
// cdnow_customers_summary_with_transactions.csv (ID,x,t_x,T,zbar) reads as it is.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "segmenta/value.h"

namespace {

namespace value = segmenta::value;

// Fader, Hardie & Lee (2005) on CDNOW, weeks; Gamma–Gamma as lifetimes fits it to CDNOW.
const std::vector<double> kBgNbdParams = {0.2425982, 4.4136842, 0.7929899, 2.4261667};
const std::vector<double> kGammaGammaParams = {6.25, 3.74, 15.44};
constexpr int kFirstDay = 182, kLastDay = 546;

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  if (n == 0) return std::nan("");
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

std::string JsonList(const std::vector<double>& values, const char* format = "%.10g") {
  std::string out = "[";
  char text[40];
  for (size_t idx = 0; idx < values.size(); ++idx) {
    std::snprintf(text, sizeof text, format, values[idx]);
    out += (idx ? ", " : "") + std::string(text);
  }
  return out + "]";
}

// --- Arguments -----------------------------------------------------------------------

struct Args {
  std::string mode;
  std::map<std::string, std::string> flags;

  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto found = flags.find(name);
    return found == flags.end() ? fallback : found->second;
  }
  long GetInt(const std::string& name, long fallback) const {
    auto found = flags.find(name);
    return found == flags.end() ? fallback : std::strtol(found->second.c_str(), nullptr, 10);
  }
};

bool ParseArgs(int argc, char** argv, Args& args) {
  if (argc < 2) return false;
  args.mode = argv[1];
  for (int arg_idx = 2; arg_idx < argc; ++arg_idx) {
    std::string flag = argv[arg_idx];
    if (flag.rfind("--", 0) != 0 || arg_idx + 1 >= argc) return false;
    args.flags[flag.substr(2)] = argv[++arg_idx];
  }
  return true;
}

int Usage() {
  std::fprintf(stderr,
               "usage: value_bench simulate --customers N --out FILE.csv [--seed S]\n"
               "       value_bench fit   --summary FILE.csv [--repeat K] [--threads T]\n"
               "       value_bench total --summary FILE.csv [--threads T]\n"
               "       value_bench parts --summary FILE.csv [--repeat K] [--threads T]\n"
               "       value_bench bgnbd --summary FILE.csv [--repeat K] [--threads T]\n");
  return 2;
}

// --- CSV -----------------------------------------------------------------------------

bool ReadFile(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  in.seekg(0, std::ios::end);
  text.resize(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  return in.good();
}

// Which summary field each CSV column fills: 0 x, 1 t_x, 2 T, 3 monetary, -1 none.
int FieldOf(std::string name) {
  while (!name.empty() && (name.back() == '\r' || name.back() == ' ')) name.pop_back();
  if (name == "x" || name == "frequency") return 0;
  if (name == "t_x" || name == "recency") return 1;
  if (name == "T") return 2;
  if (name == "monetary" || name == "zbar" || name == "monetary_value") return 3;
  return -1;
}

bool ReadSummary(const std::string& path, value::Summary& summary) {
  std::string text;
  if (!ReadFile(path, text)) {
    std::fprintf(stderr, "value_bench: cannot read %s\n", path.c_str());
    return false;
  }
  size_t pos = text.find('\n');
  std::vector<int> fields;
  {
    std::stringstream header(text.substr(0, pos));
    std::string name;
    while (std::getline(header, name, ',')) fields.push_back(FieldOf(name));
  }
  const bool has_monetary = std::count(fields.begin(), fields.end(), 3) > 0;
  for (int field = 0; field < 3; ++field) {
    if (std::count(fields.begin(), fields.end(), field) != 1) {
      std::fprintf(stderr, "value_bench: %s needs columns x, t_x and T\n", path.c_str());
      return false;
    }
  }
  std::vector<double>* columns[4] = {&summary.x, &summary.t_x, &summary.T, &summary.monetary};
  const size_t estimate = std::count(text.begin(), text.end(), '\n');
  for (int field = 0; field < (has_monetary ? 4 : 3); ++field) columns[field]->reserve(estimate);
  const char* cursor = text.data() + (pos == std::string::npos ? text.size() : pos + 1);
  const char* end = text.data() + text.size();
  size_t line = 1;
  while (cursor < end) {
    ++line;
    if (*cursor == '\n' || *cursor == '\r') {
      ++cursor;
      continue;
    }
    for (size_t col = 0; col < fields.size(); ++col) {
      const char* cell_end = cursor;
      while (cell_end < end && *cell_end != ',' && *cell_end != '\n' && *cell_end != '\r') {
        ++cell_end;
      }
      if (fields[col] >= 0) {
        double cell = 0;
        auto [parsed, error] = std::from_chars(cursor, cell_end, cell);
        if (error != std::errc() || parsed != cell_end) {
          std::fprintf(stderr, "value_bench: %s line %zu column %zu is not a number\n",
                       path.c_str(), line, col + 1);
          return false;
        }
        columns[fields[col]]->push_back(cell);
      }
      cursor = cell_end < end ? cell_end + 1 : end;
    }
    while (cursor < end && (*cursor == '\n' || *cursor == '\r')) ++cursor;
  }
  return true;
}

// --- simulate ------------------------------------------------------------------------

int Simulate(const Args& args) {
  const size_t customers = static_cast<size_t>(args.GetInt("customers", 0));
  const std::string out_path = args.Get("out");
  const uint64_t seed = static_cast<uint64_t>(args.GetInt("seed", 1));
  if (customers == 0 || out_path.empty()) return Usage();
  std::vector<double> T;
  for (int day = kFirstDay; day <= kLastDay; ++day) T.push_back(day / 7.0);
  value::Summary summary =
      value::SimulateBgNbd(kBgNbdParams, customers, T, seed, /*round_to=*/1.0 / 7);
  value::SimulateGammaGamma(kGammaGammaParams, summary, seed + 1);
  std::FILE* out = std::fopen(out_path.c_str(), "w");
  if (!out) {
    std::fprintf(stderr, "value_bench: cannot write %s\n", out_path.c_str());
    return 1;
  }
  std::fprintf(out, "x,t_x,T,monetary\n");
  size_t repeaters = 0;
  for (size_t row_idx = 0; row_idx < summary.size(); ++row_idx) {
    // Times are whole days: written as day/7 exactly as a summary built from event dates
    // would hold them (the simulator's k·(1/7) can differ from k/7 in the last bit).
    const double t_x = std::round(summary.t_x[row_idx] * 7) / 7.0;
    const double T_days = std::round(summary.T[row_idx] * 7) / 7.0;
    repeaters += summary.x[row_idx] > 0;
    std::fprintf(out, "%.0f,%.17g,%.17g,%.17g\n", summary.x[row_idx], t_x, T_days,
                 summary.monetary[row_idx]);
  }
  if (std::fclose(out) != 0) return 1;
  std::printf("{\"customers\": %zu, \"repeat_customers\": %zu, \"file\": \"%s\"}\n", summary.size(),
              repeaters, out_path.c_str());
  return 0;
}

// --- fit / total / parts -------------------------------------------------------------

struct Timed {
  std::vector<double> seconds;
  double median() const { return Median(seconds); }
};

bool Report(const segmenta::Status& status, const char* what) {
  if (status.ok()) return true;
  std::fprintf(stderr, "value_bench: %s: %s\n", what, status.ToString().c_str());
  return false;
}

std::string FitJson(const value::FitResult& fit) {
  char text[200];
  std::snprintf(text, sizeof text,
                "\"log_likelihood\": %.10f, \"customers\": %lld, \"distinct\": %lld, "
                "\"evaluations\": %d, ",
                fit.log_likelihood, static_cast<long long>(fit.customers),
                static_cast<long long>(fit.distinct), fit.evaluations);
  return "\"params\": " + JsonList(fit.params) + ", " + text + "\"note\": \"" + fit.note + "\"";
}

struct Models {
  value::FitResult bgnbd, gammagamma;
};

// Fits both models and predicts once, each step timed; false after printing an error.
bool FitAndPredict(const value::Summary& summary, int threads, Models& models, double seconds[3],
                   value::Predictions* predictions = nullptr) {
  value::FitOptions fit_options;
  fit_options.threads = threads;
  Clock::time_point start = Clock::now();
  auto bgnbd = value::Fit(value::ModelKind::kBgNbd, summary, fit_options);
  seconds[0] = SecondsSince(start);
  if (!Report(bgnbd.status(), "BG/NBD fit")) return false;
  start = Clock::now();
  auto gammagamma = value::Fit(value::ModelKind::kGammaGamma, summary, fit_options);
  seconds[1] = SecondsSince(start);
  if (!Report(gammagamma.status(), "Gamma-Gamma fit")) return false;
  start = Clock::now();
  auto purchase = value::PurchaseModel::Make(value::ModelKind::kBgNbd, bgnbd->params);
  auto order = value::OrderValueModel::Make(gammagamma->params);
  if (!Report(purchase.status(), "BG/NBD model") || !Report(order.status(), "Gamma-Gamma model")) {
    return false;
  }
  value::PredictOptions predict_options;  // horizon 90/7 weeks, CLV 12 months, 10% a year
  predict_options.threads = threads;
  auto predicted = value::Predict(*purchase, &*order, summary, predict_options);
  seconds[2] = SecondsSince(start);
  if (!Report(predicted.status(), "Predict")) return false;
  models.bgnbd = std::move(*bgnbd);
  models.gammagamma = std::move(*gammagamma);
  if (predictions) *predictions = std::move(*predicted);
  return true;
}

std::string PredictionJson(const value::Predictions& predictions) {
  double alive = 0, purchases = 0, clv = 0;
  for (size_t row_idx = 0; row_idx < predictions.p_alive.size(); ++row_idx) {
    alive += predictions.p_alive[row_idx];
    purchases += predictions.expected_purchases[row_idx];
    clv += predictions.clv[row_idx];
  }
  char text[200];
  std::snprintf(text, sizeof text,
                "\"sum_p_alive\": %.6f, \"sum_expected_purchases\": %.6f, \"sum_clv\": %.4f", alive,
                purchases, clv);
  return text;
}

int FitCommand(const Args& args) {
  const std::string path = args.Get("summary");
  const int repeat = static_cast<int>(args.GetInt("repeat", 5));
  const int threads = static_cast<int>(args.GetInt("threads", 0));
  if (path.empty() || repeat < 1) return Usage();
  Clock::time_point start = Clock::now();
  value::Summary summary;
  if (!ReadSummary(path, summary)) return 1;
  const double read_seconds = SecondsSince(start);
  Timed bgnbd, gammagamma, predict, total;
  Models models;
  value::Predictions predictions;
  for (int run = 0; run < repeat; ++run) {
    double seconds[3];
    if (!FitAndPredict(summary, threads, models, seconds, &predictions)) return 1;
    bgnbd.seconds.push_back(seconds[0]);
    gammagamma.seconds.push_back(seconds[1]);
    predict.seconds.push_back(seconds[2]);
    total.seconds.push_back(seconds[0] + seconds[1] + seconds[2]);
  }
  std::printf(
      "{\"impl\": \"segmenta\", \"file\": \"%s\", \"customers\": %zu, \"threads\": %d, "
      "\"repeat\": %d, \"read_s\": %.4f, \"bgnbd_fit_s\": %.6f, \"gammagamma_fit_s\": %.6f, "
      "\"predict_s\": %.6f, \"total_s\": %.6f, \"bgnbd_fit_runs\": %s, \"predict_runs\": %s, "
      "\"total_runs\": %s, \"bgnbd\": {%s}, \"gammagamma\": {%s}, %s}\n",
      path.c_str(), summary.size(), threads, repeat, read_seconds, bgnbd.median(),
      gammagamma.median(), predict.median(), total.median(),
      JsonList(bgnbd.seconds, "%.6f").c_str(), JsonList(predict.seconds, "%.6f").c_str(),
      JsonList(total.seconds, "%.6f").c_str(), FitJson(models.bgnbd).c_str(),
      FitJson(models.gammagamma).c_str(), PredictionJson(predictions).c_str());
  return 0;
}

int TotalCommand(const Args& args) {
  const std::string path = args.Get("summary");
  const int threads = static_cast<int>(args.GetInt("threads", 0));
  if (path.empty()) return Usage();
  Clock::time_point start = Clock::now();
  value::Summary summary;
  if (!ReadSummary(path, summary)) return 1;
  const double read_seconds = SecondsSince(start);
  Models models;
  value::Predictions predictions;
  double seconds[3];
  if (!FitAndPredict(summary, threads, models, seconds, &predictions)) return 1;
  std::printf(
      "{\"impl\": \"segmenta\", \"mode\": \"total\", \"file\": \"%s\", \"customers\": %zu, "
      "\"threads\": %d, \"read_s\": %.4f, \"bgnbd_fit_s\": %.6f, \"gammagamma_fit_s\": %.6f, "
      "\"predict_s\": %.6f, \"fit_predict_total_s\": %.6f, \"bgnbd\": {%s}, %s}\n",
      path.c_str(), summary.size(), threads, read_seconds, seconds[0], seconds[1], seconds[2],
      seconds[0] + seconds[1] + seconds[2], FitJson(models.bgnbd).c_str(),
      PredictionJson(predictions).c_str());
  return 0;
}

// Times fn `repeat` times; false when it fails.
bool TimeIt(int repeat, Timed& timed, const std::function<bool()>& fn) {
  for (int run = 0; run < repeat; ++run) {
    Clock::time_point start = Clock::now();
    if (!fn()) return false;
    timed.seconds.push_back(SecondsSince(start));
  }
  return true;
}

int PartsCommand(const Args& args) {
  const std::string path = args.Get("summary");
  const int repeat = static_cast<int>(args.GetInt("repeat", 3));
  const int threads = static_cast<int>(args.GetInt("threads", 0));
  if (path.empty() || repeat < 1) return Usage();
  value::Summary summary;
  if (!ReadSummary(path, summary)) return 1;
  value::FitOptions options;
  options.threads = threads;
  value::FitResult fit, single;
  Timed validate, likelihood, fit_default, fit_one_start;
  bool ok = TimeIt(repeat, validate,
                   [&] { return Report(value::ValidateSummary(summary), "ValidateSummary"); }) &&
            TimeIt(repeat, fit_default,
                   [&] {
                     auto result = value::Fit(value::ModelKind::kBgNbd, summary, options);
                     if (!Report(result.status(), "Fit")) return false;
                     fit = std::move(*result);
                     return true;
                   }) &&
            TimeIt(repeat, fit_one_start,
                   [&] {
                     value::FitOptions one = options;
                     one.starts = 1;
                     auto result = value::Fit(value::ModelKind::kBgNbd, summary, one);
                     if (!Report(result.status(), "Fit (1 start)")) return false;
                     single = std::move(*result);
                     return true;
                   }) &&
            TimeIt(repeat, likelihood, [&] {
              auto result = value::LogLikelihood(value::ModelKind::kBgNbd, fit.params, summary);
              return Report(result.status(), "LogLikelihood");
            });
  if (!ok) return 1;
  std::printf(
      "{\"impl\": \"segmenta\", \"mode\": \"parts\", \"file\": \"%s\", \"customers\": %zu, "
      "\"distinct\": %lld, \"validate_s\": %.6f, \"loglikelihood_s\": %.6f, "
      "\"fit_4_starts_s\": %.6f, \"fit_4_starts_evaluations\": %d, \"fit_1_start_s\": %.6f, "
      "\"fit_1_start_evaluations\": %d, \"fit_1_start_ll\": %.10f, \"fit_4_starts_ll\": %.10f}\n",
      path.c_str(), summary.size(), static_cast<long long>(fit.distinct), validate.median(),
      likelihood.median(), fit_default.median(), fit.evaluations, fit_one_start.median(),
      single.evaluations, single.log_likelihood, fit.log_likelihood);
  return 0;
}

int BgNbdCommand(const Args& args) {
  const std::string path = args.Get("summary");
  const int repeat = static_cast<int>(args.GetInt("repeat", 3));
  value::Summary summary;
  if (path.empty() || repeat < 1) return Usage();
  if (!ReadSummary(path, summary)) return 1;
  value::FitOptions options;
  options.threads = static_cast<int>(args.GetInt("threads", 0));
  value::FitResult fit;
  Timed timed;
  if (!TimeIt(repeat, timed, [&] {
        auto result = value::Fit(value::ModelKind::kBgNbd, summary, options);
        if (!Report(result.status(), "Fit")) return false;
        fit = std::move(*result);
        return true;
      })) {
    return 1;
  }
  std::printf(
      "{\"impl\": \"segmenta\", \"mode\": \"bgnbd\", \"file\": \"%s\", "
      "\"customers\": %zu, \"bgnbd_fit_s\": %.6f, \"bgnbd_fit_runs\": %s, \"bgnbd\": {%s}}\n",
      path.c_str(), summary.size(), timed.median(), JsonList(timed.seconds, "%.6f").c_str(),
      FitJson(fit).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, args)) return Usage();
  if (args.mode == "simulate") return Simulate(args);
  if (args.mode == "fit") return FitCommand(args);
  if (args.mode == "total") return TotalCommand(args);
  if (args.mode == "parts") return PartsCommand(args);
  if (args.mode == "bgnbd") return BgNbdCommand(args);
  return Usage();
}

#include "output.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace segmenta::cli {

int Fail(const Output& out, const Status& status) {
  if (out.json) {
    PrintJson({{"ok", false}, {"error", status.message()}, {"exit_code", status.exit_code()}});
  } else {
    std::cerr << "segmenta: " << status.ToString() << "\n";
  }
  return status.exit_code();
}

void PrintJson(const nlohmann::json& doc) { std::cout << doc.dump(2) << "\n"; }

std::string Thousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t pos = 0; pos < digits.size(); ++pos) {
    if (pos > 0 && (digits.size() - pos) % 3 == 0) out += ',';
    out += digits[pos];
  }
  return value < 0 ? "-" + out : out;
}

void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size());
  for (size_t col = 0; col < header.size(); ++col) widths[col] = header[col].size();
  for (const auto& row : rows) {
    for (size_t col = 0; col < row.size() && col < widths.size(); ++col) {
      widths[col] = std::max(widths[col], row[col].size());
    }
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t col = 0; col < row.size() && col < widths.size(); ++col) {
      std::string pad(widths[col] - row[col].size(), ' ');
      line += col == 0 ? row[col] + pad : "  " + pad + row[col];
    }
    std::cout << line << "\n";
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);
}

void ProgressBar::Update(const std::string& label, double fraction) {
  if (!enabled_) return;
  constexpr int kWidth = 30;
  auto now = std::chrono::steady_clock::now();
  if (label != label_) {
    label_ = label;
    started_ = now;
  }
  std::string bar(kWidth, '.');
  std::string figure;
  if (fraction < 0) {
    double seconds = std::chrono::duration<double>(now - started_).count();
    bar[static_cast<int>(seconds * 5) % kWidth] = '#';
    figure = std::to_string(static_cast<int>(seconds)) + " s";
  } else {
    fraction = std::min(1.0, fraction);
    std::fill_n(bar.begin(), static_cast<int>(fraction * kWidth), '#');
    figure = std::to_string(static_cast<int>(fraction * 100)) + "%";
  }
  std::fprintf(stderr, "\r  %-16s [%s] %5s", label.substr(0, 16).c_str(), bar.c_str(),
               figure.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::Done() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r%60s\r", "");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace segmenta::cli

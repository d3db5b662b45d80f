// Reading the scikit-learn golden files of tests/golden/cluster (written by
// make_golden.py) in the clustering tests.
#ifndef SEGMENTA_SEGMENT_CLUSTER_GOLDEN_TEST_UTIL_H_
#define SEGMENTA_SEGMENT_CLUSTER_GOLDEN_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "segmenta/matrix.h"

namespace segmenta::cluster_golden {

inline const std::string kGolden = std::string(SEGMENTA_SOURCE_DIR) + "/tests/golden/cluster/";

// Lines "name v1 v2 ..." keyed by name; '#' lines skipped.
inline std::map<std::string, std::vector<double>> ReadRecords(const std::string& path) {
  std::map<std::string, std::vector<double>> records;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::string line, name;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    fields >> name;
    std::vector<double>& values = records[name];
    for (double value; fields >> value;) values.push_back(value);
  }
  return records;
}

// Whitespace-separated numbers, one row per line.
inline Matrix<double> ReadMatrix(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::vector<double> values;
  size_t rows = 0;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    for (double value; fields >> value;) values.push_back(value);
    ++rows;
  }
  Matrix<double> out(rows, rows ? values.size() / rows : 0);
  out.values() = values;
  return out;
}

}  // namespace segmenta::cluster_golden

#endif  // SEGMENTA_SEGMENT_CLUSTER_GOLDEN_TEST_UTIL_H_

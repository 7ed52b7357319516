//===- GateStats.cpp - What the gated kernels observe at run time ---------===//

#include "GateStats.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace sift::runtime {

GateObserver &gateObserver() {
  static GateObserver observer;
  return observer;
}

bool readThresholdOverrides(const std::string &path, std::string &error) {
  std::ifstream file(path);
  if (!file) {
    error = "cannot open threshold file '" + path + "'";
    return false;
  }
  GateObserver &observer = gateObserver();
  std::string line;
  for (int lineNumber = 1; std::getline(file, line); ++lineNumber) {
    std::istringstream fields(line);
    long index;
    if (!(fields >> index))
      continue;
    std::vector<float> thresholds;
    for (float value; fields >> value;)
      thresholds.push_back(value);
    if (index < 0 || thresholds.empty() || !fields.eof()) {
      error = path + ":" + std::to_string(lineNumber) +
              ": expected 'GATE-INDEX THRESHOLD...'";
      return false;
    }
    if (observer.overrides.size() <= static_cast<size_t>(index))
      observer.overrides.resize(index + 1);
    observer.overrides[index] = std::move(thresholds);
  }
  return true;
}

bool writeRecordedMagnitudes(const std::string &path, std::string &error) {
  std::FILE *file = std::fopen(path.c_str(), "wb");
  if (!file) {
    error = "cannot write '" + path + "'";
    return false;
  }
  const GateObserver &observer = gateObserver();
  bool ok = true;
  for (size_t gate = 0; gate < observer.magnitudes.size(); ++gate) {
    const std::vector<float> &values = observer.magnitudes[gate];
    int64_t header[2] = {static_cast<int64_t>(gate),
                         static_cast<int64_t>(values.size())};
    ok &= std::fwrite(header, sizeof(header), 1, file) == 1;
    if (!values.empty())
      ok &= std::fwrite(values.data(), sizeof(float), values.size(), file) ==
            values.size();
  }
  ok &= std::fclose(file) == 0;
  if (!ok)
    error = "writing '" + path + "' failed";
  return ok;
}

} // namespace sift::runtime

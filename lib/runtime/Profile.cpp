//===- Profile.cpp - What --profile prints --------------------------------===//
//
// A gate's sparsity is the fraction of its input activations that are zero
// after it (per token: what the kernel may skip). Active parameters per
// token count every parameter of the model except the weight rows of zeroed
// activations; rows read is what the kernel actually streamed, which for a
// batch of several tokens is the union of their active rows.
//
//===----------------------------------------------------------------------===//

#include "Profile.h"

#include "GateStats.h"

#include "sift/runtime/sift_runtime.h"

#include <cstdio>

namespace sift::runtime {

void printProfile() {
  const GateObserver &observer = gateObserver();
  std::printf("profile: %d gate(s)\n", sift_model_num_gates);
  std::printf("  %-5s %-32s %8s %8s %10s %10s\n", "gate", "node", "inputs",
              "outputs", "sparsity", "rows read");
  double skippedPerToken = 0;
  for (int g = 0; g < sift_model_num_gates; ++g) {
    const sift_gate_spec &gate = sift_model_gates[g];
    GateCounters counters;
    if (static_cast<size_t>(g) < observer.counters.size())
      counters = observer.counters[g];
    if (counters.activations == 0) {
      std::printf("  %-5d %-32s %8lld %8lld %10s %10s\n", g, gate.node,
                  static_cast<long long>(gate.inputs),
                  static_cast<long long>(gate.outputs), "not run", "-");
      continue;
    }
    double sparsity =
        static_cast<double>(counters.zeroed) / counters.activations;
    double rowsRead = static_cast<double>(counters.rowsRead) /
                      (static_cast<double>(counters.calls) * gate.inputs);
    skippedPerToken += static_cast<double>(counters.zeroed) /
                       counters.tokens * gate.outputs;
    std::printf("  %-5d %-32s %8lld %8lld %9.2f%% %9.2f%%\n", g, gate.node,
                static_cast<long long>(gate.inputs),
                static_cast<long long>(gate.outputs), 100 * sparsity,
                100 * rowsRead);
  }
  double total = static_cast<double>(sift_model_num_parameters);
  double active = total - skippedPerToken;
  std::printf("active parameters per token: %.0f of %.0f (%.2f%%)\n", active,
              total, total > 0 ? 100 * active / total : 100.0);
}

} // namespace sift::runtime

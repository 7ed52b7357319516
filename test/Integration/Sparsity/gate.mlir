// Executes sparsity.gate through the dense reference lowering and compares
// with values worked out by hand (and checked with numpy:
// np.where((np.abs(x) > t) | np.isnan(x), x, 0)).
//
// RUN: sparse-opt %s --sift-lower-to-llvm \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s

func.func private @printMemrefF32(tensor<*xf32>)

func.func @gate_per_channel(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = sparsity.gate %x threshold [0.4, 2.0, 0.0, 0.1] : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

func.func @gate_scalar_f16(%x: tensor<5xf16>) -> tensor<5xf16> {
  %0 = sparsity.gate %x threshold [1.0] : tensor<5xf16>
  return %0 : tensor<5xf16>
}

func.func @widen(%x: tensor<5xf16>) -> tensor<5xf32> {
  %e = tensor.empty() : tensor<5xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]}
      ins(%x : tensor<5xf16>) outs(%e : tensor<5xf32>) {
  ^bb0(%in: f16, %out: f32):
    %w = arith.extf %in : f16 to f32
    linalg.yield %w : f32
  } -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

func.func @main() {
  %x = arith.constant dense<[[0.5, -2.0, 0x7FC00000, 0.1],
                             [-1.0, 1.0, 3.0, -0.25]]> : tensor<2x4xf32>
  %g = call @gate_per_channel(%x) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %gu = tensor.cast %g : tensor<2x4xf32> to tensor<*xf32>
  // CHECK: rank = 2 offset = 0 sizes = [2, 4]
  // CHECK-NEXT: [0.5,   0,   nan,   0]
  // CHECK-NEXT: [-1,   0,   3,   -0.25]
  call @printMemrefF32(%gu) : (tensor<*xf32>) -> ()

  // 1.0 equals the threshold and is zeroed; the next f16 above it is kept.
  %h = arith.constant dense<[1.0, 1.0009765625, -0.5, 0x7E00, -4.0]> : tensor<5xf16>
  %gh = call @gate_scalar_f16(%h) : (tensor<5xf16>) -> tensor<5xf16>
  %wide = call @widen(%gh) : (tensor<5xf16>) -> tensor<5xf32>
  %wu = tensor.cast %wide : tensor<5xf32> to tensor<*xf32>
  // CHECK: rank = 1 offset = 0 sizes = [5]
  // CHECK-NEXT: [0,  1.00098,  0,  nan,  -4]
  call @printMemrefF32(%wu) : (tensor<*xf32>) -> ()
  return
}

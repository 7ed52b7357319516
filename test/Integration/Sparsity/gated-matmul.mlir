// Executes sparsity.gated_matmul through the dense reference lowering, for
// both weight layouts, with and without bias, batched and not. Expected
// values: gate(x) @ W + b, worked out by hand and checked with numpy.
//
// RUN: sparse-opt %s --sift-lower-to-llvm \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s

func.func private @printMemrefF32(tensor<*xf32>)

func.func @input_major_bias(%x: tensor<2x3xf32>, %w: tensor<3x2xf32>, %b: tensor<2xf32>) -> tensor<2x2xf32> {
  %0 = sparsity.gated_matmul %x, %w, %b threshold [0.5] layout input_major
       : (tensor<2x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

func.func @output_major(%x: tensor<2x3xf32>, %w: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %0 = sparsity.gated_matmul %x, %w threshold [0.5] layout output_major
       : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

func.func @batched_dynamic(%x: tensor<2x?x3xf32>, %w: tensor<3x2xf32>, %b: tensor<2xf32>) -> tensor<2x?x2xf32> {
  %0 = sparsity.gated_matmul %x, %w, %b threshold [0.5] layout input_major
       : (tensor<2x?x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<2x?x2xf32>
  return %0 : tensor<2x?x2xf32>
}

func.func @main() {
  // gate(x, 0.5) = [[1, 0, 3], [0, 2, -1]]
  %x = arith.constant dense<[[1.0, -0.2, 3.0], [0.05, 2.0, -1.0]]> : tensor<2x3xf32>
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %wt = arith.constant dense<[[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]> : tensor<2x3xf32>
  %b = arith.constant dense<[10.0, 20.0]> : tensor<2xf32>

  %0 = call @input_major_bias(%x, %w, %b) : (tensor<2x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %p0 = tensor.cast %0 : tensor<2x2xf32> to tensor<*xf32>
  // CHECK: sizes = [2, 2]
  // CHECK-NEXT: [26,   40]
  // CHECK-NEXT: [11,   22]
  call @printMemrefF32(%p0) : (tensor<*xf32>) -> ()

  %1 = call @output_major(%x, %wt) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  %p1 = tensor.cast %1 : tensor<2x2xf32> to tensor<*xf32>
  // CHECK: sizes = [2, 2]
  // CHECK-NEXT: [16,   20]
  // CHECK-NEXT: [1,   2]
  call @printMemrefF32(%p1) : (tensor<*xf32>) -> ()

  // Batch 1 is -x: its products negate before the bias is added.
  %xb = arith.constant dense<[[[1.0, -0.2, 3.0], [0.05, 2.0, -1.0]],
                              [[-1.0, 0.2, -3.0], [-0.05, -2.0, 1.0]]]> : tensor<2x2x3xf32>
  %xd = tensor.cast %xb : tensor<2x2x3xf32> to tensor<2x?x3xf32>
  %2 = call @batched_dynamic(%xd, %w, %b) : (tensor<2x?x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<2x?x2xf32>
  %p2 = tensor.cast %2 : tensor<2x?x2xf32> to tensor<*xf32>
  // CHECK: sizes = [2, 2, 2]
  // CHECK-NEXT: {{\[}}[26,     40],
  // CHECK-NEXT:  [11,     22]],
  // CHECK-NEXT: {{\[}}[-6,     0],
  // CHECK-NEXT:  [9,     18]]]
  call @printMemrefF32(%p2) : (tensor<*xf32>) -> ()
  return
}

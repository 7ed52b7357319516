// RUN: sparse-opt %s --split-input-file --narrow-matmul-weights | FileCheck %s
// RUN: sparse-opt %s --split-input-file --narrow-matmul-weights=element-type=f16 -verify-diagnostics | FileCheck %s --check-prefix=F16
// RUN: not sparse-opt %s --split-input-file --narrow-matmul-weights=element-type=f8 2>&1 | FileCheck %s --check-prefix=TYPE

// The constant weights of a plain f32 matmul are stored rounded to nearest
// even; the matmul widens them. Blob bytes are little-endian after the
// 4-byte alignment word: 1.0, -2.0, 1 + 2^-8 (a bf16 tie: to 1.0; exact in
// f16), 65519 (bf16: 65536; f16: 65504).
// CHECK-LABEL: func.func @constant_weights
//       CHECK:   %[[W:.*]] = arith.constant dense_resource<weights_bf16> : tensor<2x2xbf16>
//       CHECK:   linalg.matmul ins(%{{.*}}, %[[W]] : tensor<1x2xf32>, tensor<2x2xbf16>) outs(%{{.*}} : tensor<1x2xf32>)
//       CHECK:   weights_bf16: "0x02000000803F00C0803F8047"
// F16-LABEL: func.func @constant_weights
//       F16:   linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<1x2xf32>, tensor<2x2xf16>)
//       F16:   weights_f16: "0x02000000003C00C0043CFF7B"
// TYPE: error: narrow-matmul-weights: element-type must be bf16 or f16, got 'f8'
func.func @constant_weights(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, -2.0], [1.00390625, 65519.0]]> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2xf32>) -> tensor<1x2xf32>
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%f : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Gated matmuls too; a constant that two matmuls share gets one narrow copy,
// and the f32 original goes.
// CHECK-LABEL: func.func @gated_shared
//       CHECK:   %[[W:.*]] = arith.constant dense_resource<{{.*}}> : tensor<2x3xbf16>
//   CHECK-NOT:   arith.constant {{.*}}tensor<2x3xf32>
//       CHECK:   sparsity.gated_matmul %{{.*}}, %[[W]] threshold [5.000000e-01] layout input_major : (tensor<1x2xf32>, tensor<2x3xbf16>) -> tensor<1x3xf32>
//       CHECK:   linalg.matmul ins(%{{.*}}, %[[W]] : tensor<4x2xf32>, tensor<2x3xbf16>)
func.func @gated_shared(%x: tensor<1x2xf32>, %t: tensor<4x2xf32>) -> (tensor<1x3xf32>, tensor<4x3xf32>) {
  %w = arith.constant dense<0.5> : tensor<2x3xf32>
  %g = sparsity.gated_matmul %x, %w threshold [0.5] layout input_major : (tensor<1x2xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x3xf32>) -> tensor<4x3xf32>
  %y = linalg.matmul ins(%t, %w : tensor<4x2xf32>, tensor<2x3xf32>) outs(%f : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %g, %y : tensor<1x3xf32>, tensor<4x3xf32>
}

// -----

// Weights computed at run time, products that do not start from zero, and
// constants that other ops read as well keep their f32 copy for those.
// CHECK-LABEL: func.func @left_alone
//       CHECK:   %[[N:.*]] = arith.constant dense_resource<{{.*}}> : tensor<2x2xbf16>
//       CHECK:   %[[W:.*]] = arith.constant dense<2.000000e+00> : tensor<2x2xf32>
//       CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<1x2xf32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<1x2xf32>)
//       CHECK:   linalg.matmul ins(%{{.*}}, %[[W]] : tensor<1x2xf32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<1x2xf32>)
//       CHECK:   linalg.matmul ins(%{{.*}}, %[[N]] : tensor<1x2xf32>, tensor<2x2xbf16>)
//       CHECK:   return {{.*}}, %[[W]]
func.func @left_alone(%x: tensor<1x2xf32>, %v: tensor<2x2xf32>, %acc: tensor<1x2xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<2x2xf32>) {
  %w = arith.constant dense<2.0> : tensor<2x2xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2xf32>) -> tensor<1x2xf32>
  %runtime = linalg.matmul ins(%x, %v : tensor<1x2xf32>, tensor<2x2xf32>) outs(%f : tensor<1x2xf32>) -> tensor<1x2xf32>
  %accumulated = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%acc : tensor<1x2xf32>) -> tensor<1x2xf32>
  %plain = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x2xf32>) outs(%f : tensor<1x2xf32>) -> tensor<1x2xf32>
  return %runtime, %accumulated, %plain, %w : tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<2x2xf32>
}

// -----

// f16 cannot hold 65520 (it would round to infinity): an error (naming the
// ONNX node when the location has one). bf16 holds it (as 65536).
// CHECK-LABEL: func.func @f16_overflow
//       CHECK:   weights_bf16: "0x02000000803F8047"
func.func @f16_overflow(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
  %w = arith.constant dense<[[1.0], [65520.0]]> : tensor<2x1xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x1xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x1xf32>) -> tensor<1x1xf32>
  // expected-error @+1 {{1 of its weights exceed the range of 'f16' (largest finite value 65504); bf16 has f32's range}}
  %y = linalg.matmul ins(%x, %w : tensor<1x2xf32>, tensor<2x1xf32>) outs(%f : tensor<1x1xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// RUN: sparse-opt %s --split-input-file --accumulate-matmuls-in-f32 | FileCheck %s

// An f16 product with constant weights: activations widened, weights read
// as they are, f32 sums, the result rounded back.
// CHECK-LABEL: func.func @f16_constant_weights
//  CHECK-SAME:   (%[[X:.*]]: tensor<2x4xf16>)
//       CHECK:   %[[W:.*]] = arith.constant dense<5.000000e-01> : tensor<4x3xf16>
//       CHECK:   %[[XF:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<2x4xf16>) outs(%{{.*}} : tensor<2x4xf32>)
//       CHECK:     arith.extf %{{.*}} : f16 to f32
//       CHECK:   %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x3xf32>)
//       CHECK:   %[[YF:.*]] = linalg.matmul ins(%[[XF]], %[[W]] : tensor<2x4xf32>, tensor<4x3xf16>) outs(%[[ZERO]] : tensor<2x3xf32>)
//       CHECK:   %[[Y:.*]] = linalg.generic {{.*}} ins(%[[YF]] : tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf16>)
//       CHECK:     arith.truncf %{{.*}} : f32 to f16
//       CHECK:   return %[[Y]]
func.func @f16_constant_weights(%x: tensor<2x4xf16>) -> tensor<2x3xf16> {
  %w = arith.constant dense<0.5> : tensor<4x3xf16>
  %zero = arith.constant 0.0 : f16
  %e = tensor.empty() : tensor<2x3xf16>
  %f = linalg.fill ins(%zero : f16) outs(%e : tensor<2x3xf16>) -> tensor<2x3xf16>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf16>, tensor<4x3xf16>) outs(%f : tensor<2x3xf16>) -> tensor<2x3xf16>
  return %y : tensor<2x3xf16>
}

// -----

// bf16 too, with dynamic rows.
// CHECK-LABEL: func.func @bf16_dynamic_rows
//       CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<?x4xf32>, tensor<4x3xbf16>) outs(%{{.*}} : tensor<?x3xf32>)
func.func @bf16_dynamic_rows(%x: tensor<?x4xbf16>) -> tensor<?x3xbf16> {
  %c0 = arith.constant 0 : index
  %rows = tensor.dim %x, %c0 : tensor<?x4xbf16>
  %w = arith.constant dense<0.5> : tensor<4x3xbf16>
  %zero = arith.constant 0.0 : bf16
  %e = tensor.empty(%rows) : tensor<?x3xbf16>
  %f = linalg.fill ins(%zero : bf16) outs(%e : tensor<?x3xbf16>) -> tensor<?x3xbf16>
  %y = linalg.matmul ins(%x, %w : tensor<?x4xbf16>, tensor<4x3xbf16>) outs(%f : tensor<?x3xbf16>) -> tensor<?x3xbf16>
  return %y : tensor<?x3xbf16>
}

// -----

// f32 products, and 16-bit ones whose weights are computed, stay.
// CHECK-LABEL: func.func @left_alone
//   CHECK-NOT:   arith.extf
//       CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<4x3xf32>)
//       CHECK:   linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x4xf16>, tensor<4x3xf16>)
func.func @left_alone(%x: tensor<2x4xf32>, %h: tensor<2x4xf16>, %v: tensor<4x3xf16>) -> (tensor<2x3xf32>, tensor<2x3xf16>) {
  %w = arith.constant dense<0.5> : tensor<4x3xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %y = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32>
  %hzero = arith.constant 0.0 : f16
  %he = tensor.empty() : tensor<2x3xf16>
  %hf = linalg.fill ins(%hzero : f16) outs(%he : tensor<2x3xf16>) -> tensor<2x3xf16>
  %z = linalg.matmul ins(%h, %v : tensor<2x4xf16>, tensor<4x3xf16>) outs(%hf : tensor<2x3xf16>) -> tensor<2x3xf16>
  return %y, %z : tensor<2x3xf32>, tensor<2x3xf16>
}

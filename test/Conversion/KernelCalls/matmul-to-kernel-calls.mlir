// RUN: sparse-opt %s --split-input-file --convert-matmul-to-kernel-calls | FileCheck %s

// B read as [K, N] (flag 0) and, through transposed maps, as [N, K] (flag 1).
// CHECK: func.func private @sift_matmul_f32(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, i64) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @layouts
//  CHECK-SAME:   (%[[A:.*]]: tensor<?x4xf32>, %[[B:.*]]: tensor<4x3xf32>, %[[BT:.*]]: tensor<3x4xf32>)
//       CHECK:   %[[M:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<?x3xf32>
//       CHECK:   %[[OUT:.*]] = memref.alloc(%[[M]]) {alignment = 64 : i64} : memref<?x3xf32>
//       CHECK:   bufferization.to_buffer %[[A]] read_only
//       CHECK:   bufferization.to_buffer %[[B]] read_only
//       CHECK:   %[[FLAG0:.*]] = arith.constant 0 : i64
//       CHECK:   call @sift_matmul_f32(%{{.*}}, %{{.*}}, %{{.*}}, %[[FLAG0]])
//       CHECK:   %[[P:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
//       CHECK:   bufferization.to_buffer %[[BT]] read_only
//       CHECK:   %[[FLAG1:.*]] = arith.constant 1 : i64
//       CHECK:   call @sift_matmul_f32(%{{.*}}, %{{.*}}, %{{.*}}, %[[FLAG1]])
//       CHECK:   %[[Q:.*]] = bufferization.to_tensor
//       CHECK:   return %[[P]], %[[Q]]
func.func @layouts(%a: tensor<?x4xf32>, %b: tensor<4x3xf32>, %bt: tensor<3x4xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %m = tensor.dim %a, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%m) : tensor<?x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x3xf32>) -> tensor<?x3xf32>
  %p = linalg.matmul ins(%a, %b : tensor<?x4xf32>, tensor<4x3xf32>) outs(%f : tensor<?x3xf32>) -> tensor<?x3xf32>
  %q = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%a, %bt : tensor<?x4xf32>, tensor<3x4xf32>) outs(%f : tensor<?x3xf32>) -> tensor<?x3xf32>
  return %p, %q : tensor<?x3xf32>, tensor<?x3xf32>
}

// -----

// Left alone: f16, an accumulator that does not start at zero, and
// transposed A.
// CHECK-LABEL: func.func @left_alone
//   CHECK-NOT:   call
//   CHECK-COUNT-3: linalg.matmul
func.func @left_alone(%a: tensor<2x4xf16>, %b: tensor<4x3xf16>, %c: tensor<2x4xf32>, %d: tensor<4x3xf32>, %init: tensor<2x3xf32>, %at: tensor<4x2xf32>)
    -> (tensor<2x3xf16>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %zh = arith.constant 0.0 : f16
  %z = arith.constant 0.0 : f32
  %eh = tensor.empty() : tensor<2x3xf16>
  %fh = linalg.fill ins(%zh : f16) outs(%eh : tensor<2x3xf16>) -> tensor<2x3xf16>
  %0 = linalg.matmul ins(%a, %b : tensor<2x4xf16>, tensor<4x3xf16>) outs(%fh : tensor<2x3xf16>) -> tensor<2x3xf16>
  %1 = linalg.matmul ins(%c, %d : tensor<2x4xf32>, tensor<4x3xf32>) outs(%init : tensor<2x3xf32>) -> tensor<2x3xf32>
  %e = tensor.empty() : tensor<2x3xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%at, %d : tensor<4x2xf32>, tensor<4x3xf32>) outs(%f : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1, %2 : tensor<2x3xf16>, tensor<2x3xf32>, tensor<2x3xf32>
}

// RUN: sparse-opt %s --split-input-file --convert-conv-to-kernel-calls | FileCheck %s

// The padded input, the filter and the init (the broadcast bias) go to the
// kernel as read-only buffers with a fresh result buffer, then the strides
// (3, 2), the dilations (2, 1) and whether the filter is a constant (no: 0).
// A dynamic batch sizes the result from the init.
// CHECK: func.func private @sift_conv2d_f32(memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @strided_dilated
//  CHECK-SAME:   (%[[X:.*]]: tensor<?x2x7x7xf32>, %[[F:.*]]: tensor<3x2x2x2xf32>, %[[INIT:.*]]: tensor<?x3x2x3xf32>)
//       CHECK:   %[[N:.*]] = tensor.dim %[[INIT]], %{{.*}} : tensor<?x3x2x3xf32>
//       CHECK:   %[[OUT:.*]] = memref.alloc(%[[N]]) {alignment = 64 : i64} : memref<?x3x2x3xf32>
//       CHECK:   bufferization.to_buffer %[[X]] read_only
//       CHECK:   bufferization.to_buffer %[[F]] read_only
//       CHECK:   bufferization.to_buffer %[[INIT]] read_only
//       CHECK:   %[[SH:.*]] = arith.constant 3 : i64
//       CHECK:   %[[SW:.*]] = arith.constant 2 : i64
//       CHECK:   %[[DH:.*]] = arith.constant 2 : i64
//       CHECK:   %[[DW:.*]] = arith.constant 1 : i64
//       CHECK:   %[[RUNTIME:.*]] = arith.constant 0 : i64
//  CHECK-NEXT:   call @sift_conv2d_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[SH]], %[[SW]], %[[DH]], %[[DW]], %[[RUNTIME]])
//       CHECK:   %[[Y:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
//       CHECK:   return %[[Y]]
func.func @strided_dilated(%x: tensor<?x2x7x7xf32>, %f: tensor<3x2x2x2xf32>, %init: tensor<?x3x2x3xf32>) -> tensor<?x3x2x3xf32> {
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<[2, 1]> : tensor<2xi64>, strides = dense<[3, 2]> : tensor<2xi64>}
      ins(%x, %f : tensor<?x2x7x7xf32>, tensor<3x2x2x2xf32>) outs(%init : tensor<?x3x2x3xf32>) -> tensor<?x3x2x3xf32>
  return %y : tensor<?x3x2x3xf32>
}

// -----

// A constant filter is flagged (1, after the unit strides and dilations):
// the kernel packs it once and keeps it.
// CHECK-LABEL: func.func @constant_filter
//       CHECK-COUNT-4:   arith.constant 1 : i64
//       CHECK:   %[[CONSTANT:.*]] = arith.constant 1 : i64
//  CHECK-NEXT:   call @sift_conv2d_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[CONSTANT]])
func.func @constant_filter(%x: tensor<1x1x3x3xf32>, %init: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %f = arith.constant dense<1.0> : tensor<1x1x2x2xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %f : tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>) outs(%init : tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

// Left alone: f16 (the kernel is f32).
// CHECK-LABEL: func.func @f16
//   CHECK-NOT:   call
//       CHECK:   linalg.conv_2d_nchw_fchw
func.func @f16(%x: tensor<1x2x4x4xf16>, %f: tensor<3x2x3x3xf16>, %init: tensor<1x3x2x2xf16>) -> tensor<1x3x2x2xf16> {
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %f : tensor<1x2x4x4xf16>, tensor<3x2x3x3xf16>) outs(%init : tensor<1x3x2x2xf16>) -> tensor<1x3x2x2xf16>
  return %y : tensor<1x3x2x2xf16>
}

// -----

// A 1-D convolution calls the 1-D kernel with rank-3 buffers, its one stride
// (5) and dilation (2), and the filter flag (a function argument: 0).
// CHECK: func.func private @sift_conv1d_f32(memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, i64, i64, i64) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @conv_1d
//  CHECK-SAME:   (%[[X:.*]]: tensor<?x3x400xf32>, %[[F:.*]]: tensor<20x3x10xf32>, %[[INIT:.*]]: tensor<?x20x77xf32>)
//       CHECK:   %[[N:.*]] = tensor.dim %[[INIT]], %{{.*}} : tensor<?x20x77xf32>
//       CHECK:   %[[OUT:.*]] = memref.alloc(%[[N]]) {alignment = 64 : i64} : memref<?x20x77xf32>
//       CHECK:   bufferization.to_buffer %[[X]] read_only
//       CHECK:   bufferization.to_buffer %[[F]] read_only
//       CHECK:   bufferization.to_buffer %[[INIT]] read_only
//       CHECK:   %[[S:.*]] = arith.constant 5 : i64
//       CHECK:   %[[D:.*]] = arith.constant 2 : i64
//       CHECK:   %[[RUNTIME:.*]] = arith.constant 0 : i64
//  CHECK-NEXT:   call @sift_conv1d_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[S]], %[[D]], %[[RUNTIME]])
//       CHECK:   %[[Y:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
//       CHECK:   return %[[Y]]
//   CHECK-NOT:   linalg.conv
func.func @conv_1d(%x: tensor<?x3x400xf32>, %f: tensor<20x3x10xf32>, %init: tensor<?x20x77xf32>) -> tensor<?x20x77xf32> {
  %y = linalg.conv_1d_ncw_fcw {dilations = dense<2> : tensor<1xi64>, strides = dense<5> : tensor<1xi64>}
      ins(%x, %f : tensor<?x3x400xf32>, tensor<20x3x10xf32>) outs(%init : tensor<?x20x77xf32>) -> tensor<?x20x77xf32>
  return %y : tensor<?x20x77xf32>
}

// -----

// A grouped (here depthwise, two filters per channel) convolution calls the
// grouped kernel with rank-5 buffers, strides (2, 1), dilations (1, 2), and
// the filter flag: 1, since the filter is a constant split into groups by
// tensor.expand_shape.
// CHECK: func.func private @sift_conv2d_grouped_f32(memref<?x?x?x?x?xf32, strided<[?, ?, ?, ?, ?], offset: ?>>, memref<?x?x?x?x?xf32, strided<[?, ?, ?, ?, ?], offset: ?>>, memref<?x?x?x?x?xf32, strided<[?, ?, ?, ?, ?], offset: ?>>, memref<?x?x?x?x?xf32, strided<[?, ?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @depthwise
//  CHECK-SAME:   (%[[X:.*]]: tensor<1x4x1x9x9xf32>, %[[INIT:.*]]: tensor<1x4x2x4x5xf32>)
//       CHECK:   %[[F:.*]] = tensor.expand_shape
//       CHECK:   %[[OUT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x4x2x4x5xf32>
//       CHECK:   bufferization.to_buffer %[[X]] read_only
//       CHECK:   bufferization.to_buffer %[[F]] read_only
//       CHECK:   bufferization.to_buffer %[[INIT]] read_only
//       CHECK:   %[[SH:.*]] = arith.constant 2 : i64
//       CHECK:   %[[SW:.*]] = arith.constant 1 : i64
//       CHECK:   %[[DH:.*]] = arith.constant 1 : i64
//       CHECK:   %[[DW:.*]] = arith.constant 2 : i64
//       CHECK:   %[[CONSTANT:.*]] = arith.constant 1 : i64
//  CHECK-NEXT:   call @sift_conv2d_grouped_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[SH]], %[[SW]], %[[DH]], %[[DW]], %[[CONSTANT]])
//       CHECK:   %[[Y:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
//       CHECK:   return %[[Y]]
//   CHECK-NOT:   linalg.conv
func.func @depthwise(%x: tensor<1x4x1x9x9xf32>, %init: tensor<1x4x2x4x5xf32>) -> tensor<1x4x2x4x5xf32> {
  %c = arith.constant dense<1.0> : tensor<8x1x3x3xf32>
  %f = tensor.expand_shape %c [[0, 1], [2], [3], [4]] output_shape [4, 2, 1, 3, 3] : tensor<8x1x3x3xf32> into tensor<4x2x1x3x3xf32>
  %y = linalg.conv_2d_ngchw_gfchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>}
      ins(%x, %f : tensor<1x4x1x9x9xf32>, tensor<4x2x1x3x3xf32>) outs(%init : tensor<1x4x2x4x5xf32>) -> tensor<1x4x2x4x5xf32>
  return %y : tensor<1x4x2x4x5xf32>
}

// -----

// Left alone: a grouped convolution of f16.
// CHECK-LABEL: func.func @grouped_f16
//   CHECK-NOT:   call
//       CHECK:   linalg.conv_2d_ngchw_gfchw
func.func @grouped_f16(%x: tensor<1x2x3x5x5xf16>, %f: tensor<2x4x3x3x3xf16>, %init: tensor<1x2x4x3x3xf16>) -> tensor<1x2x4x3x3xf16> {
  %y = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %f : tensor<1x2x3x5x5xf16>, tensor<2x4x3x3x3xf16>) outs(%init : tensor<1x2x4x3x3xf16>) -> tensor<1x2x4x3x3xf16>
  return %y : tensor<1x2x4x3x3xf16>
}

// -----

// A convolution whose result is unused is erased, not called: a kernel call
// would never be dead code.
// CHECK-LABEL: func.func @unused
//   CHECK-NOT:   call
//   CHECK-NOT:   linalg.conv
//       CHECK:   return %{{.*}} : tensor<1x1x2x2xf32>
func.func @unused(%x: tensor<1x1x3x3xf32>, %f: tensor<1x1x2x2xf32>, %init: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %f : tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>) outs(%init : tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %init : tensor<1x1x2x2xf32>
}

// RUN: sparse-opt %s --split-input-file --sift-conv-to-matmul | FileCheck %s

// Strides and dilations go into the window map: windows[n, oh, ow, c, kh, kw]
// = x[n, c, 3*oh + 2*kh, 2*ow + kw]. The constant [3, 2, 2, 2] filter becomes
// an input-major [8, 3] blob (its [3, 8] view transposed), and the product is
// added to the broadcast bias.
// CHECK-DAG: #[[WINDOW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d1 * 3 + d4 * 2, d2 * 2 + d5)>
// CHECK-LABEL: func.func @strided_dilated_with_bias
//  CHECK-SAME:   (%[[X:.*]]: tensor<1x2x7x7xf32>, %[[BIAS:.*]]: tensor<3xf32>)
//   CHECK-DAG:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
//   CHECK-DAG:   %[[W:.*]] = arith.constant dense_resource<weights_input_major> : tensor<8x3xf32>
//       CHECK:   %[[INIT:.*]] = linalg.broadcast ins(%[[BIAS]]
//       CHECK:   %[[WINDOWS:.*]] = linalg.generic {indexing_maps = [#[[WINDOW]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[X]] : tensor<1x2x7x7xf32>) outs(%{{.*}} : tensor<1x2x3x2x2x2xf32>)
//       CHECK:     linalg.yield
//       CHECK:   %[[ROWS:.*]] = tensor.collapse_shape %[[WINDOWS]] {{\[}}[0, 1, 2], [3, 4, 5]] : tensor<1x2x3x2x2x2xf32> into tensor<6x8xf32>
//       CHECK:   %[[ZEROS:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<6x3xf32>)
//       CHECK:   %[[P:.*]] = linalg.matmul ins(%[[ROWS]], %[[W]] : tensor<6x8xf32>, tensor<8x3xf32>) outs(%[[ZEROS]] : tensor<6x3xf32>)
//       CHECK:   %[[NHWC:.*]] = tensor.expand_shape %[[P]] {{\[}}[0, 1, 2], [3]] output_shape [1, 2, 3, 3] : tensor<6x3xf32> into tensor<1x2x3x3xf32>
//       CHECK:   %[[NCHW:.*]] = linalg.transpose ins(%[[NHWC]] : tensor<1x2x3x3xf32>) outs(%{{.*}} : tensor<1x3x2x3xf32>) permutation = [0, 3, 1, 2]
//       CHECK:   %[[Y:.*]] = linalg.generic {{.*}} ins(%[[NCHW]] : tensor<1x3x2x3xf32>) outs(%[[INIT]] : tensor<1x3x2x3xf32>)
//       CHECK:     arith.addf
//       CHECK:   return %[[Y]]
//       CHECK: weights_input_major: "0x040000000000803F000010410000884100000040000020410000904100004040000030410000984100008040000040410000A0410000A040000050410000A8410000C040000060410000B0410000E040000070410000B84100000041000080410000C041"
func.func @strided_dilated_with_bias(%x: tensor<1x2x7x7xf32>, %bias: tensor<3xf32>) -> tensor<1x3x2x3xf32> {
  %f = arith.constant dense<[[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]], [[[9.0, 10.0], [11.0, 12.0]], [[13.0, 14.0], [15.0, 16.0]]], [[[17.0, 18.0], [19.0, 20.0]], [[21.0, 22.0], [23.0, 24.0]]]]> : tensor<3x2x2x2xf32>
  %e = tensor.empty() : tensor<1x3x2x3xf32>
  %init = linalg.broadcast ins(%bias : tensor<3xf32>) outs(%e : tensor<1x3x2x3xf32>) dimensions = [0, 2, 3]
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<[2, 1]> : tensor<2xi64>, strides = dense<[3, 2]> : tensor<2xi64>}
      ins(%x, %f : tensor<1x2x7x7xf32>, tensor<3x2x2x2xf32>) outs(%init : tensor<1x3x2x3xf32>) -> tensor<1x3x2x3xf32>
  return %y : tensor<1x3x2x3xf32>
}

// -----

// A filter that is not a constant (ConvTranspose computes one) is read as
// its [F, C*KH*KW] view through transposed maps; from a zero fill nothing is
// added. A dynamic batch stays dynamic.
// CHECK-LABEL: func.func @runtime_filter_dynamic_batch
//  CHECK-SAME:   (%[[X:.*]]: tensor<?x2x4x4xf32>, %[[F:.*]]: tensor<3x2x3x3xf32>)
//       CHECK:   %[[N:.*]] = tensor.dim %[[X]], %c0
//       CHECK:   %[[E:.*]] = tensor.empty(%[[N]]) : tensor<?x2x2x2x3x3xf32>
//       CHECK:   %[[WINDOWS:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<?x2x4x4xf32>) outs(%[[E]] : tensor<?x2x2x2x3x3xf32>)
//       CHECK:   %[[ROWS:.*]] = tensor.collapse_shape %[[WINDOWS]] {{\[}}[0, 1, 2], [3, 4, 5]] : tensor<?x2x2x2x3x3xf32> into tensor<?x18xf32>
//       CHECK:   %[[W:.*]] = tensor.collapse_shape %[[F]] {{\[}}[0], [1, 2, 3]] : tensor<3x2x3x3xf32> into tensor<3x18xf32>
//       CHECK:   %[[P:.*]] = linalg.matmul indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}] ins(%[[ROWS]], %[[W]] : tensor<?x18xf32>, tensor<3x18xf32>) outs(%{{.*}} : tensor<?x3xf32>)
//       CHECK:   %[[NHWC:.*]] = tensor.expand_shape %[[P]] {{\[}}[0, 1, 2], [3]] output_shape [%{{.*}}, 2, 2, 3] : tensor<?x3xf32> into tensor<?x2x2x3xf32>
//       CHECK:   %[[NCHW:.*]] = linalg.transpose ins(%[[NHWC]] : tensor<?x2x2x3xf32>) outs(%{{.*}} : tensor<?x3x2x2xf32>) permutation = [0, 3, 1, 2]
//       CHECK:   return %[[NCHW]]
func.func @runtime_filter_dynamic_batch(%x: tensor<?x2x4x4xf32>, %f: tensor<3x2x3x3xf32>) -> tensor<?x3x2x2xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?x2x4x4xf32>
  %e = tensor.empty(%n) : tensor<?x3x2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<?x3x2x2xf32>) -> tensor<?x3x2x2xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %f : tensor<?x2x4x4xf32>, tensor<3x2x3x3xf32>) outs(%init : tensor<?x3x2x2xf32>) -> tensor<?x3x2x2xf32>
  return %y : tensor<?x3x2x2xf32>
}

// -----

// Left alone: f16 (the matmul kernels are f32) and dynamic pixels.
// CHECK-LABEL: func.func @not_rewritten
//   CHECK-NOT:   linalg.matmul
//       CHECK:   linalg.conv_2d_nchw_fchw {{.*}} : tensor<1x2x4x4xf16>
//   CHECK-NOT:   linalg.matmul
//       CHECK:   linalg.conv_2d_nchw_fchw {{.*}} : tensor<1x2x?x4xf32>
//   CHECK-NOT:   linalg.matmul
func.func @not_rewritten(%h: tensor<1x2x4x4xf16>, %fh: tensor<3x2x3x3xf16>, %ih: tensor<1x3x2x2xf16>,
                         %x: tensor<1x2x?x4xf32>, %f: tensor<3x2x3x3xf32>, %i: tensor<1x3x?x2xf32>)
    -> (tensor<1x3x2x2xf16>, tensor<1x3x?x2xf32>) {
  %a = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%h, %fh : tensor<1x2x4x4xf16>, tensor<3x2x3x3xf16>) outs(%ih : tensor<1x3x2x2xf16>) -> tensor<1x3x2x2xf16>
  %b = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %f : tensor<1x2x?x4xf32>, tensor<3x2x3x3xf32>) outs(%i : tensor<1x3x?x2xf32>) -> tensor<1x3x?x2xf32>
  return %a, %b : tensor<1x3x2x2xf16>, tensor<1x3x?x2xf32>
}

// RUN: sparse-opt %s --split-input-file --fuse-elementwise-chains | FileCheck %s

#map = affine_map<(d0) -> (d0)>

// A single-use elementwise producer is fused into its consumer: one
// linalg.generic computes both.
// CHECK-LABEL: func.func @chain
// CHECK:         linalg.generic
// CHECK:           math.tanh
// CHECK:           arith.mulf
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @chain(%x: tensor<8xf32>) -> tensor<8xf32> {
  %empty = tensor.empty() : tensor<8xf32>
  %t = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%x : tensor<8xf32>) outs(%empty : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.tanh %in : f32
    linalg.yield %0 : f32
  } -> tensor<8xf32>
  %m = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%t : tensor<8xf32>) outs(%empty : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %in, %in : f32
    linalg.yield %0 : f32
  } -> tensor<8xf32>
  return %m : tensor<8xf32>
}

// -----

#map = affine_map<(d0) -> (d0)>

// A producer whose result is also returned stays: fusing it would compute
// it twice.
// CHECK-LABEL: func.func @shared
// CHECK:         %[[T:.*]] = linalg.generic
// CHECK:           math.tanh
// CHECK:         %[[M:.*]] = linalg.generic {{.*}} ins(%[[T]]
// CHECK:           arith.mulf
// CHECK:         return %[[T]], %[[M]]
func.func @shared(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %empty = tensor.empty() : tensor<8xf32>
  %t = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%x : tensor<8xf32>) outs(%empty : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.tanh %in : f32
    linalg.yield %0 : f32
  } -> tensor<8xf32>
  %m = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%t : tensor<8xf32>) outs(%empty : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %in, %in : f32
    linalg.yield %0 : f32
  } -> tensor<8xf32>
  return %t, %m : tensor<8xf32>, tensor<8xf32>
}

// -----

#map = affine_map<(d0) -> (d0)>

// With max-body-ops=4, two single-op bodies (2 ops each, with the yield)
// fuse into one of 3 ops; adding the third body (2 more) would pass the
// bound, so the chain stays two loop nests.
// RUN: sparse-opt %s --split-input-file --fuse-elementwise-chains=max-body-ops=4 | FileCheck %s --check-prefix=BOUND
// BOUND-LABEL: func.func @bounded
// BOUND:         %[[FIRST:.*]] = linalg.generic
// BOUND:           math.tanh
// BOUND-NEXT:      linalg.yield
// BOUND:         linalg.generic {{.*}} ins(%[[FIRST]]
// BOUND:           arith.mulf
// BOUND-NEXT:      arith.addf
// BOUND-NEXT:      linalg.yield
// BOUND-NOT:     linalg.generic
func.func @bounded(%x: tensor<8xf32>) -> tensor<8xf32> {
  %empty = tensor.empty() : tensor<8xf32>
  %t = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%x : tensor<8xf32>) outs(%empty : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = math.tanh %in : f32
    linalg.yield %0 : f32
  } -> tensor<8xf32>
  %m = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%t : tensor<8xf32>) outs(%empty : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.mulf %in, %in : f32
    linalg.yield %0 : f32
  } -> tensor<8xf32>
  %a = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%m : tensor<8xf32>) outs(%empty : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %in : f32
    linalg.yield %0 : f32
  } -> tensor<8xf32>
  return %a : tensor<8xf32>
}

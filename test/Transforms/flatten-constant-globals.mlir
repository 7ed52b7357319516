// RUN: sparse-opt %s --split-input-file --flatten-constant-globals | FileCheck %s
// RUN: sparse-opt %s --split-input-file --flatten-constant-globals | sparse-translate --split-input-file --mlir-to-llvmir | FileCheck %s --check-prefix=LLVM

// A dense initializer is reshaped to one dimension, in the same order; the
// global's uses are untouched: their GEPs carry their own element type.
// CHECK-LABEL: llvm.mlir.global private constant @weights
// CHECK-SAME:    dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00]> : tensor<6xf32>
// CHECK-SAME:    : !llvm.array<6 x f32>
// CHECK-LABEL: llvm.func @second_row
// CHECK:         llvm.getelementptr %{{.*}}[0, 1, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.array<2 x array<3 x f32>>
// LLVM: @weights = private constant [6 x float] [float 1.000000e+00, float 2.000000e+00, float 3.000000e+00, float 4.000000e+00, float 5.000000e+00, float 6.000000e+00]
llvm.mlir.global private constant @weights(dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>) {addr_space = 0 : i32} : !llvm.array<2 x array<3 x f32>>
llvm.func @second_row() -> !llvm.ptr {
  %0 = llvm.mlir.addressof @weights : !llvm.ptr
  %1 = llvm.getelementptr %0[0, 1, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.array<2 x array<3 x f32>>
  llvm.return %1 : !llvm.ptr
}

// -----

// A resource keeps its blob; only the type changes.
// CHECK-LABEL: llvm.mlir.global private constant @resource
// CHECK-SAME:    dense_resource<blob> : tensor<4xi16>
// CHECK-SAME:    : !llvm.array<4 x i16>
// LLVM: @resource = private constant [4 x i16] [i16 1, i16 2, i16 3, i16 4]
llvm.mlir.global private constant @resource(dense_resource<blob> : tensor<2x1x2xi16>) {addr_space = 0 : i32} : !llvm.array<2 x array<1 x array<2 x i16>>>
{-#
  dialect_resources: {
    builtin: {
      blob: "0x020000000100020003000400"
    }
  }
#-}

// -----

// Booleans are bytes in LLVM but bits in the attribute; mutable globals and
// one-dimensional ones need nothing: all three stay as they are.
// CHECK-LABEL: llvm.mlir.global private constant @flags
// CHECK-SAME:    : !llvm.array<2 x array<2 x i1>>
// CHECK-LABEL: llvm.mlir.global private @mutable
// CHECK-SAME:    : !llvm.array<1 x array<2 x f32>>
// CHECK-LABEL: llvm.mlir.global private constant @flat
// CHECK-SAME:    : !llvm.array<2 x f32>
llvm.mlir.global private constant @flags(dense<[[true, false], [false, true]]> : tensor<2x2xi1>) {addr_space = 0 : i32} : !llvm.array<2 x array<2 x i1>>
llvm.mlir.global private @mutable(dense<[[1.0, 2.0]]> : tensor<1x2xf32>) {addr_space = 0 : i32} : !llvm.array<1 x array<2 x f32>>
llvm.mlir.global private constant @flat(dense<[1.0, 2.0]> : tensor<2xf32>) {addr_space = 0 : i32} : !llvm.array<2 x f32>

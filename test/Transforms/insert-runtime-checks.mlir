// RUN: sparse-opt %s --split-input-file --sift-insert-runtime-checks --verify-diagnostics | FileCheck %s

// A run-time divisor is checked for zero, and a signed one for the minimum
// value divided by -1; the messages name the ONNX node.
// CHECK-DAG: llvm.mlir.global internal constant @[[ZERO:.*]]("node 'q' (Div): integer division by zero\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[OVERFLOW:.*]]("node 'q' (Div): integer division overflows (the minimum value by -1)\00")
// CHECK-DAG: func.func private @sift_runtime_error(!llvm.ptr)
// CHECK-LABEL: func.func @signed_division
//  CHECK-SAME:   (%[[A:.*]]: i64, %[[B:.*]]: i64)
//       CHECK:   %[[C0:.*]] = arith.constant 0 : i64
//       CHECK:   %[[IS_ZERO:.*]] = arith.cmpi eq, %[[B]], %[[C0]]
//       CHECK:   scf.if %[[IS_ZERO]] {
//       CHECK:     %[[TEXT:.*]] = llvm.mlir.addressof @[[ZERO]]
//       CHECK:     call @sift_runtime_error(%[[TEXT]])
//       CHECK:   %[[MIN:.*]] = arith.constant -9223372036854775808 : i64
//       CHECK:   %[[MINUS_ONE:.*]] = arith.constant -1 : i64
//       CHECK:   %[[IS_MIN:.*]] = arith.cmpi eq, %[[A]], %[[MIN]]
//       CHECK:   %[[IS_MINUS_ONE:.*]] = arith.cmpi eq, %[[B]], %[[MINUS_ONE]]
//       CHECK:   %[[BOTH:.*]] = arith.andi %[[IS_MIN]], %[[IS_MINUS_ONE]]
//       CHECK:   scf.if %[[BOTH]] {
//       CHECK:     llvm.mlir.addressof @[[OVERFLOW]]
//       CHECK:   arith.divsi %[[A]], %[[B]]
func.func @signed_division(%a: i64, %b: i64) -> i64 {
  %q = arith.divsi %a, %b : i64 loc("q"("Div"))
  return %q : i64
}

// -----

// An unsigned divisor is checked for zero only; constant divisors other
// than zero are not checked at all.
// CHECK-LABEL: func.func @unsigned_and_constant
//       CHECK:   arith.cmpi eq
//       CHECK:   scf.if
//   CHECK-NOT:   scf.if
//       CHECK:   arith.remui
//   CHECK-NOT:   scf.if
//       CHECK:   arith.divsi
//       CHECK:   return
func.func @unsigned_and_constant(%a: i32, %b: i32) -> (i32, i32) {
  %c3 = arith.constant 3 : i32
  %r = arith.remui %a, %b : i32 loc("r"("Mod"))
  %q = arith.divsi %a, %c3 : i32 loc("q"("Div"))
  return %r, %q : i32, i32
}

// -----

// A dynamically sized buffer's byte size is built one checked dimension at
// a time, naming the node; a static buffer only names it.
// CHECK-DAG: llvm.mlir.global internal constant @[[SITE:.*]]("node 'grow' (Expand)\00")
// CHECK-DAG: llvm.func @_mlir_memref_to_llvm_alloc(i64) -> (!llvm.ptr {llvm.noalias})
// CHECK-LABEL: func.func @allocations
//  CHECK-SAME:   (%[[M:.*]]: index, %[[N:.*]]: index)
//       CHECK:   %[[SITE_PTR:.*]] = llvm.mlir.addressof @[[SITE]]
//       CHECK:   %[[STATIC_BYTES:.*]] = arith.constant 12 : i64
//       CHECK:   %[[M64:.*]] = arith.index_cast %[[M]] : index to i64
//       CHECK:   %[[BYTES:.*]] = call @sift_alloc_bytes(%[[STATIC_BYTES]], %[[M64]], %[[SITE_PTR]])
//       CHECK:   %[[N64:.*]] = arith.index_cast %[[N]] : index to i64
//       CHECK:   call @sift_alloc_bytes(%[[BYTES]], %[[N64]], %[[SITE_PTR]])
//       CHECK:   memref.alloc(%[[M]], %[[N]]) : memref<?x3x?xf32>
//       CHECK:   call @sift_note_alloc_site
//       CHECK:   memref.alloc() : memref<8xi64>
func.func @allocations(%m: index, %n: index) -> (memref<?x3x?xf32>, memref<8xi64>) {
  %a = memref.alloc(%m, %n) : memref<?x3x?xf32> loc("grow"("Expand"))
  %b = memref.alloc() : memref<8xi64> loc("grow"("Expand"))
  return %a, %b : memref<?x3x?xf32>, memref<8xi64>
}

// -----

func.func @too_large() -> memref<4611686018427387904x4xf32> {
  // expected-error @below {{buffer of type 'memref<4611686018427387904x4xf32>' has a size that overflows 64 bits}}
  %a = memref.alloc() : memref<4611686018427387904x4xf32>
  return %a : memref<4611686018427387904x4xf32>
}

// -----

// An assertion becomes a call that reports its message.
// CHECK-DAG: llvm.mlir.global internal constant @[[TEXT:.*]]("node 'r' (Range): delta is zero\00")
// CHECK-LABEL: func.func @assertion
//  CHECK-SAME:   (%[[OK:.*]]: i1)
//       CHECK:   %[[TRUE:.*]] = arith.constant true
//       CHECK:   %[[FAILS:.*]] = arith.xori %[[OK]], %[[TRUE]]
//       CHECK:   scf.if %[[FAILS]] {
//       CHECK:     llvm.mlir.addressof @[[TEXT]]
//       CHECK:     call @sift_runtime_error
//   CHECK-NOT:   cf.assert
func.func @assertion(%ok: i1) {
  cf.assert %ok, "node 'r' (Range): delta is zero"
  return
}

// RUN: sparse-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(split-large-blocks{max-ops=3}))' | FileCheck %s

// A block of seven ops (the return counted) becomes blocks of three ops, each
// followed by a branch to the next; uses stay dominated by their definitions.
// CHECK-LABEL: func.func @chain
// CHECK-NEXT:    %[[A:.*]] = arith.addf %arg0, %arg0
// CHECK-NEXT:    %[[B:.*]] = arith.mulf %[[A]], %[[A]]
// CHECK-NEXT:    %[[C:.*]] = arith.subf %[[B]], %[[A]]
// CHECK-NEXT:    cf.br ^[[BB1:.*]]
// CHECK-NEXT:  ^[[BB1]]:
// CHECK-NEXT:    %[[D:.*]] = arith.addf %[[C]], %[[B]]
// CHECK-NEXT:    %[[E:.*]] = arith.mulf %[[D]], %[[C]]
// CHECK-NEXT:    %[[F:.*]] = arith.divf %[[E]], %[[A]]
// CHECK-NEXT:    cf.br ^[[BB2:.*]]
// CHECK-NEXT:  ^[[BB2]]:
// CHECK-NEXT:    return %[[F]]
func.func @chain(%x: f32) -> f32 {
  %a = arith.addf %x, %x : f32
  %b = arith.mulf %a, %a : f32
  %c = arith.subf %b, %a : f32
  %d = arith.addf %c, %b : f32
  %e = arith.mulf %d, %c : f32
  %f = arith.divf %e, %a : f32
  return %f : f32
}

// -----

// A block of max-ops ops is left as it is.
// CHECK-LABEL: func.func @short
// CHECK-NOT:     cf.br
// CHECK:         return
func.func @short(%x: f32) -> f32 {
  %a = arith.addf %x, %x : f32
  %b = arith.mulf %a, %a : f32
  return %b : f32
}

// -----

// Loop bodies hold a single block: they are left whole, and only the
// function's body is cut.
// CHECK-LABEL: func.func @loop_body
// CHECK:         scf.for
// CHECK-NOT:       cf.br
// CHECK:           scf.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    cf.br ^[[BB1:.*]]
// CHECK-NEXT:  ^[[BB1]]:
// CHECK-NEXT:    return
func.func @loop_body(%x: f32, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %x) -> f32 {
    %a = arith.addf %acc, %x : f32
    %b = arith.mulf %a, %a : f32
    %c = arith.subf %b, %a : f32
    %d = arith.addf %c, %b : f32
    scf.yield %d : f32
  }
  return %r : f32
}

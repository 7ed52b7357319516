// RUN: sparse-opt %s --split-input-file --deallocate-buffers-after-last-use | FileCheck %s

// Intermediate buffers are freed right after their last reader; the returned
// buffer stays with the dealloc at the end of the block.
// CHECK-LABEL: func.func @chain
// CHECK:         %[[A:.*]] = memref.alloc()
// CHECK-NEXT:    memref.copy %arg0, %[[A]]
// CHECK-NEXT:    %[[B:.*]] = memref.alloc()
// CHECK-NEXT:    memref.copy %[[A]], %[[B]]
// CHECK-NEXT:    memref.dealloc %[[A]]
// CHECK-NEXT:    %[[C:.*]] = memref.alloc()
// CHECK-NEXT:    memref.copy %[[B]], %[[C]]
// CHECK-NEXT:    memref.dealloc %[[B]]
// CHECK-NEXT:    bufferization.dealloc (%[[C]] : memref<4xf32>) if (%{{.*}}) retain (%[[C]] : memref<4xf32>)
// CHECK-NEXT:    return %[[C]]
func.func @chain(%arg0: memref<4xf32>) -> memref<4xf32> {
  %true = arith.constant true
  %a = memref.alloc() : memref<4xf32>
  memref.copy %arg0, %a : memref<4xf32> to memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  memref.copy %a, %b : memref<4xf32> to memref<4xf32>
  %c = memref.alloc() : memref<4xf32>
  memref.copy %b, %c : memref<4xf32> to memref<4xf32>
  %0 = bufferization.dealloc (%a, %b, %c : memref<4xf32>, memref<4xf32>, memref<4xf32>) if (%true, %true, %true) retain (%c : memref<4xf32>)
  return %c : memref<4xf32>
}

// -----

// A view's readers keep the buffer alive; a view that is returned keeps the
// buffer with the dealloc.
// CHECK-LABEL: func.func @views
// CHECK:         %[[A:.*]] = memref.alloc()
// CHECK:         %[[B:.*]] = memref.alloc()
// CHECK:         %[[VIEW:.*]] = memref.subview %[[A]]
// CHECK-NEXT:    memref.copy %[[VIEW]], %arg1
// CHECK-NEXT:    memref.dealloc %[[A]]
// CHECK-NEXT:    %[[RETURNED:.*]] = memref.subview %[[B]]
// CHECK-NEXT:    bufferization.dealloc (%[[B]] : memref<8xf32>) if (%{{.*}}) retain (%[[RETURNED]] :
// CHECK-NEXT:    return %[[RETURNED]]
func.func @views(%arg0: memref<8xf32>, %arg1: memref<4xf32>) -> memref<4xf32, strided<[1], offset: 4>> {
  %true = arith.constant true
  %a = memref.alloc() : memref<8xf32>
  memref.copy %arg0, %a : memref<8xf32> to memref<8xf32>
  %b = memref.alloc() : memref<8xf32>
  memref.copy %arg0, %b : memref<8xf32> to memref<8xf32>
  %view = memref.subview %a[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
  memref.copy %view, %arg1 : memref<4xf32, strided<[1]>> to memref<4xf32>
  %returned = memref.subview %b[4] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 4>>
  %0 = bufferization.dealloc (%a, %b : memref<8xf32>, memref<8xf32>) if (%true, %true) retain (%returned : memref<4xf32, strided<[1], offset: 4>>)
  return %returned : memref<4xf32, strided<[1], offset: 4>>
}

// -----

// A use inside a loop frees the buffer after the loop; a buffer whose
// ownership is decided at run time stays with the dealloc.
// CHECK-LABEL: func.func @loop_and_condition
// CHECK:         %[[A:.*]] = memref.alloc()
// CHECK:         %[[B:.*]] = memref.alloc()
// CHECK:         scf.for
// CHECK:           memref.load %[[A]]
// CHECK:         }
// CHECK-NEXT:    memref.dealloc %[[A]]
// CHECK-NEXT:    bufferization.dealloc (%[[B]] : memref<4xf32>) if (%arg1)
// CHECK-NEXT:    return
func.func @loop_and_condition(%arg0: memref<4xf32>, %arg1: i1) -> f32 {
  %true = arith.constant true
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  %a = memref.alloc() : memref<4xf32>
  memref.copy %arg0, %a : memref<4xf32> to memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  memref.copy %arg0, %b : memref<4xf32> to memref<4xf32>
  %sum = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %zero) -> f32 {
    %x = memref.load %a[%i] : memref<4xf32>
    %y = arith.addf %acc, %x : f32
    scf.yield %y : f32
  }
  bufferization.dealloc (%a, %b : memref<4xf32>, memref<4xf32>) if (%true, %arg1)
  return %sum : f32
}

// RUN: sparse-opt %s --externalize-weights='file=%t.weights min-bytes=16' | FileCheck %s
// RUN: sparse-opt %s --externalize-weights='file=%t.weights min-bytes=16' -o /dev/null && od -A d -t x1 %t.weights | FileCheck %s --check-prefix=FILE
// RUN: sparse-opt %s --externalize-weights='file=%t.weights min-bytes=16 min-total-bytes=4096' | FileCheck %s --check-prefix=TOTAL
// RUN: not sparse-opt %s --externalize-weights='file=%t.missing/w min-bytes=16' -o /dev/null 2>&1 | FileCheck %s --check-prefix=UNWRITABLE

// Constants of at least min-bytes move to the file, each at a 64-byte
// aligned offset after the 64-byte header; each use loads the base pointer
// the runtime sets and adds the offset. Smaller constants, splats and
// mutable globals stay. The module records the file's size and checksum.
// CHECK:       module attributes {sift.weights_checksum = {{-?[0-9]+}} : i64, sift.weights_size = 144 : i64}
// CHECK:         llvm.mlir.global external @sift_weights() {{.*}}: !llvm.ptr
// CHECK-NOT:     llvm.mlir.global private constant @big
// CHECK-NOT:     llvm.mlir.global private constant @second
// CHECK:         llvm.mlir.global private constant @small
// CHECK:         llvm.mlir.global private constant @splat
// CHECK:         llvm.mlir.global private @mutable
// CHECK-LABEL: llvm.func @addresses
// CHECK:         %[[BASE_SYM:.*]] = llvm.mlir.addressof @sift_weights
// CHECK:         %[[BASE:.*]] = llvm.load %[[BASE_SYM]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[OFFSET:.*]] = llvm.mlir.constant(64 : i64)
// CHECK:         %[[BIG:.*]] = llvm.getelementptr inbounds %[[BASE]][%[[OFFSET]]] : (!llvm.ptr, i64) -> !llvm.ptr, i8
// CHECK:         %[[BASE2:.*]] = llvm.load
// CHECK:         %[[OFFSET2:.*]] = llvm.mlir.constant(128 : i64)
// CHECK:         %[[SECOND:.*]] = llvm.getelementptr inbounds %[[BASE2]][%[[OFFSET2]]]
// CHECK:         %[[SMALL:.*]] = llvm.mlir.addressof @small
// CHECK:         llvm.insertvalue %[[BIG]], %{{.*}}[0]
// CHECK:         llvm.insertvalue %[[SECOND]], %{{.*}}[1]
// CHECK:         llvm.insertvalue %[[SMALL]], %{{.*}}[2]

// The file: magic, size 144 (0x90), checksum, zeros to byte 64; @big's
// sixteen bytes 1..16 at 64; @second's bytes at 128.
// FILE:      0000000 53 49 46 54 57 47 54 31 90 00 00 00 00 00 00 00
// FILE:      0000064 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10
// FILE:      0000128 ff fe fd fc fb fa f9 f8 f7 f6 f5 f4 f3 f2 f1 f0

// Below min-total-bytes nothing moves.
// TOTAL-NOT: sift.weights_size
// TOTAL:     llvm.mlir.global private constant @big

// UNWRITABLE: error: cannot write the weights file '{{.*}}.missing/w'

llvm.mlir.global private constant @big(dense<[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]> : tensor<4x4xi8>) {addr_space = 0 : i32} : !llvm.array<4 x array<4 x i8>>
llvm.mlir.global private constant @second(dense<[-1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13, -14, -15, -16]> : tensor<16xi8>) {addr_space = 0 : i32} : !llvm.array<16 x i8>
llvm.mlir.global private constant @small(dense<[1, 2]> : tensor<2xi8>) {addr_space = 0 : i32} : !llvm.array<2 x i8>
llvm.mlir.global private constant @splat(dense<7> : tensor<64xi8>) {addr_space = 0 : i32} : !llvm.array<64 x i8>
llvm.mlir.global private @mutable(dense<0> : tensor<64xi8>) {addr_space = 0 : i32} : !llvm.array<64 x i8>
llvm.func @addresses() -> !llvm.struct<(ptr, ptr, ptr)> {
  %0 = llvm.mlir.addressof @big : !llvm.ptr
  %1 = llvm.mlir.addressof @second : !llvm.ptr
  %2 = llvm.mlir.addressof @small : !llvm.ptr
  %3 = llvm.mlir.undef : !llvm.struct<(ptr, ptr, ptr)>
  %4 = llvm.insertvalue %0, %3[0] : !llvm.struct<(ptr, ptr, ptr)>
  %5 = llvm.insertvalue %1, %4[1] : !llvm.struct<(ptr, ptr, ptr)>
  %6 = llvm.insertvalue %2, %5[2] : !llvm.struct<(ptr, ptr, ptr)>
  llvm.return %6 : !llvm.struct<(ptr, ptr, ptr)>
}

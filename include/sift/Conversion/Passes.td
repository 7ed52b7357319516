//===- Passes.td - Sift conversion passes ------------------*- tablegen -*-===//

#ifndef SIFT_CONVERSION_PASSES_TD
#define SIFT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSparsityToLinalg : Pass<"convert-sparsity-to-linalg"> {
  let summary = "Lower sparsity ops to dense linalg ops on tensors";
  let description = [{
    Rewrites `sparsity.gate` into an elementwise `linalg.generic` and
    `sparsity.gated_matmul` into that gate followed by `linalg.matmul` (a bias
    initialises the accumulator). The result computes exactly what the ops
    specify, dense: it is the reference lowering, and the point where sparsity
    ops leave the pipeline before `one-shot-bufferize`.

    ```mlir
    %y = sparsity.gate %x threshold [5.000000e-01] : tensor<4xf32>
    ```

    becomes

    ```mlir
    %y = linalg.generic {...} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %abs = math.absf %in : f32
      %keep = arith.cmpf ugt, %abs, %cst : f32   // true for NaN
      %v = arith.select %keep, %in, %zero : f32
      linalg.yield %v : f32
    } -> tensor<4xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvertSparsityToKernelCalls
    : Pass<"convert-sparsity-to-kernel-calls", "::mlir::ModuleOp"> {
  let summary = "Lower f32 gated matmuls to calls of the runtime's sparse "
                "kernel";
  let description = [{
    Rewrites every f32 `sparsity.gated_matmul` with input-major weights into a
    call of `sift_gated_matmul_f32`, the CPU kernel in Sift's runtime that
    gates the input, gathers the weight rows of the surviving activations and
    streams only those (vectorised, over all threads). Small batches split the
    active rows between threads; large ones split the tokens. With every
    activation active the kernel is the dense input-major product, so a gate
    costs only its scan of the input.

    Operands become read-only buffers, the result a fresh 64-byte aligned
    allocation returned as a `restrict writable` tensor, so the rewrite runs
    before `one-shot-bufferize`. A rank-3 input is collapsed to rank 2 around
    the call. Each call also passes the gate's index: its position among the
    module's gated matmuls in walk order, which the runtime uses to report
    per-gate sparsity (`--profile`) and to record magnitudes for calibration.
    Gated matmuls of other element types or layouts are left for
    `--convert-sparsity-to-linalg`.

    ```mlir
    %y = sparsity.gated_matmul %x, %w threshold [1.0e-01] layout input_major
           : (tensor<1x64xf32>, tensor<64x32xf32>) -> tensor<1x32xf32>
    ```

    becomes

    ```mlir
    %xb = bufferization.to_buffer %x read_only : ...
    %out = memref.alloc() {alignment = 64 : i64} : memref<1x32xf32>
    call @sift_gated_matmul_f32(%xb', %wb', %bias', %thresholds', %out', %c0)
    %y = bufferization.to_tensor %out restrict writable : ...
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvertMatmulToKernelCalls
    : Pass<"convert-matmul-to-kernel-calls", "::mlir::ModuleOp"> {
  let summary = "Lower f32 linalg.matmul to calls of the runtime's dense "
                "kernel";
  let description = [{
    Rewrites every f32 `linalg.matmul` that starts from zero (its init is a
    `linalg.fill` of 0.0) and reads B either as `[K, N]` or, with transposed
    indexing maps, as `[N, K]`, into a call of `sift_matmul_f32`: the
    runtime's dense kernel, vectorised and threaded, which streams the
    weights in the order they are stored. It is the dense counterpart of
    `--convert-sparsity-to-kernel-calls`; `convert-linalg-to-loops` would
    give one scalar, single-threaded loop nest instead.

    Other matmuls (other element types, an init that is not zero, other
    indexing maps) are left alone.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def ConvertConvToKernelCalls
    : Pass<"convert-conv-to-kernel-calls", "::mlir::ModuleOp"> {
  let summary = "Lower f32 1-D, 2-D and grouped 2-D convolutions to calls "
                "of the runtime's convolution kernels";
  let description = [{
    Rewrites every f32 `linalg.conv_2d_nchw_fchw` into a call of
    `sift_conv2d_f32` with its (already padded) input, filter, init, a fresh
    result buffer, its strides and dilations, and whether the filter is an
    `arith.constant`: the kernel repacks a filter input-major on every call,
    but a constant's only on its first (it keeps the copy, as much memory
    again as the convolution weights). The kernel splits the
    output rows between the threads; for each row it gathers the input
    windows into a small matrix that stays in cache, multiplies it by the
    filter on the register-tiled matmul kernel, and writes the row back in
    NCHW added to the init (the bias); rows too few to busy every thread
    are split into stretches.

    An f32 `linalg.conv_1d_ncw_fcw` becomes a call of `sift_conv1d_f32`
    (the same kernel on a single row, split into stretches), with one stride
    and one dilation. An f32 grouped `linalg.conv_2d_ngchw_gfchw` (depthwise
    included; the ONNX importer's form of `Conv` with `group` > 1) becomes
    a call of `sift_conv2d_grouped_f32` with 5-D operands: groups of few
    input channels or filters (depthwise) are computed directly, tap by tap
    on whole input rows, vectorised along the row; larger groups run the
    2-D kernel group by group. Whether the filter is a constant is seen
    through the `tensor.expand_shape` that splits it into groups.

    A convolution whose result is unused is erased instead: a kernel call
    writes memory, so it would never be removed as dead code (the ONNX
    importer leaves such a convolution behind when it folds a
    BatchNormalization into a copy of it).

    `convert-linalg-to-loops` would give one scalar, single-threaded loop
    nest instead: its float reduction cannot be vectorised without
    reassociating it.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

#endif // SIFT_CONVERSION_PASSES_TD

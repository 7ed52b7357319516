//===- ConvolutionAsMatmul.h - 2-D convolutions as pixel matmuls -*- C++ -*-===//
//
// A 1x1 NCHW convolution is a matmul of its pixels: each output pixel's [F]
// vector is the [F, C] filter times the pixel's channels. These helpers
// build the ends of that rewrite: channels last on the way in, NCHW on the
// way out, and the convolution's accumulation into its init.
//
//===----------------------------------------------------------------------===//

#ifndef SIFT_UTILS_CONVOLUTIONASMATMUL_H
#define SIFT_UTILS_CONVOLUTIONASMATMUL_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace sift {

/// `input` with its dimensions permuted as linalg.transpose permutes them.
mlir::Value transposeTensor(mlir::OpBuilder &builder, mlir::Location loc,
                            mlir::Value input,
                            llvm::ArrayRef<int64_t> permutation);

/// The [N*OH*OW, F] `pixels` of a convolution as its NCHW result of
/// `resultType`, taking a dynamic batch from dimension 0 of `batchSource`.
mlir::Value pixelsToNCHW(mlir::OpBuilder &builder, mlir::Location loc,
                         mlir::Value pixels, mlir::RankedTensorType resultType,
                         mlir::Value batchSource);

/// `result` added to the convolution's `init` (its broadcast bias), or
/// `result` itself when `init` is a zero fill.
mlir::Value accumulateIntoInit(mlir::OpBuilder &builder, mlir::Location loc,
                               mlir::Value result, mlir::Value init);

} // namespace sift

#endif // SIFT_UTILS_CONVOLUTIONASMATMUL_H

//===- Passes.td - Sift transformation passes --------------*- tablegen -*-===//

#ifndef SIFT_TRANSFORMS_PASSES_TD
#define SIFT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SparsityInsertGates : Pass<"sparsity-insert-gates"> {
  let summary = "Put a sparsity.gate on the activation input of matmuls with "
                "constant weights";
  let description = [{
    Gates the left operand of every `linalg.matmul` whose right operand (the
    weights) is a compile-time constant, so that a later kernel may skip the
    weight rows of the activations the gate zeroes. The input of a
    `linalg.conv_2d_nchw_fchw` with a constant 1x1 filter, unit strides and
    dilations and static shapes but for the batch (a matmul over the pixels,
    which `--sparsity-fuse-gated-matmul` rewrites as one) is gated too.

    `gates` chooses which matmuls:
    - `all` (default): every such matmul and convolution, as TEAL gates every
      linear layer;
    - `mlp`: only the projections of feed-forward blocks, as CATS does: a
      matmul whose output reaches another constant-weight matmul through
      elementwise ops that include a nonlinearity (the up and gate
      projections), and that other matmul (the down projection); never a
      convolution;
    - anything else is a regular expression matched against the ONNX node
      name of the matmul or convolution (the name in its location).

    With `lossless`, only inputs that are provably non-negative (the output of
    a Relu, a Clip at 0, an absolute value) are gated, at threshold 0: the
    gate then changes nothing, and the kernel skips exactly the rows whose
    activation is zero.

    A gate pays for itself only where the kernel skips weight rows, and the
    kernel reads a row when its activation survives in any token of the call.
    So `all` and `mlp` leave out a matmul known to process more than
    `max-tokens` tokens per call (the static rows of its `[M, K]` input, the
    static pixels of a convolution's NCHW input; a dynamic size, such as a
    batch, counts as 1): a convolution over 3136 pixels or the prefill of
    many tokens would only pay the gate's scan. A regex names the nodes to
    gate and forces them in whatever their token count.

    Every matmul or convolution that the policy selects but the pass leaves
    out (for its token count, or with `lossless` for an input not provably
    non-negative) gets a `sparsity.not_gated` string attribute saying why;
    `sparse-compile` lists them in its report.

    Gates start at `threshold` (default 0, which changes nothing);
    calibration sets the real values. A gate at 0 folds away under
    canonicalization, so fuse gates (`--sparsity-fuse-gated-matmul`) before
    canonicalizing.
  }];
  let options = [
    Option<"gates", "gates", "std::string", /*default=*/"\"all\"",
           "Which matmuls to gate: all, mlp, or a regex on ONNX node names">,
    Option<"lossless", "lossless", "bool", /*default=*/"false",
           "Gate only provably non-negative inputs, at threshold 0">,
    Option<"threshold", "threshold", "float", /*default=*/"0.0f",
           "The threshold every new gate starts with">,
    Option<"maxTokens", "max-tokens", "int64_t", /*default=*/"8",
           "With gates=all or mlp, leave out matmuls known to process more "
           "tokens than this per call">,
  ];
  let dependentDialects = ["::sift::sparsity::SparsityDialect"];
}

def SparsityFuseGatedMatmul : Pass<"sparsity-fuse-gated-matmul"> {
  let summary = "Fuse gate + matmul (+ bias add) into sparsity.gated_matmul "
                "with input-major weights";
  let description = [{
    Rewrites `linalg.matmul(sparsity.gate(x), W)` that starts from zero, with
    constant weights `W`, into `sparsity.gated_matmul`. An f32 `W` read as
    `[N, K]` (ONNX Gemm with transB=1, PyTorch's Linear) is transposed at
    compile time into a new `[K, N]` constant, so each input channel owns one
    contiguous row of weights: the row a zeroed activation lets the kernel
    skip. When the product's only use adds a `[N]` vector broadcast over the
    rows (a bias), the add is folded into the gated matmul.

    A gated 1x1 `linalg.conv_2d_nchw_fchw` with a constant `[F, C, 1, 1]`
    filter, unit strides and dilations, static shapes but for the batch and a
    single threshold
    becomes a gated matmul of its pixels: the input is transposed to NHWC and
    collapsed to `[N*H*W, C]`, the f32 filter is rewritten at compile time
    into an input-major `[C, F]` constant (other element types are read as
    the output-major `[F, C]` view), and the `[N*H*W, F]` product is expanded
    and transposed back to NCHW and added to the convolution's init (its
    broadcast bias) unless that init is a zero fill.
  }];
  let dependentDialects = ["::sift::sparsity::SparsityDialect"];
}

def SparsityReorderNeurons : Pass<"sparsity-reorder-neurons"> {
  let summary = "Order a gated matmul's input channels by how often they are "
                "active, permuting the producing weights to match";
  let description = [{
    A gated matmul reads one weight row per active input channel; rows of
    channels that are active together are cheapest to read when they are
    adjacent. Calibration attaches `sparsity.activation_frequency` (one f32
    per input channel: the share of calibration tokens in which the channel
    survived the gate) to gated matmuls. For each such op whose input is
    produced, through elementwise ops only, by matmuls with constant weights
    (a feed-forward block: up and gate projections, activation, down
    projection), this pass sorts the channels by decreasing frequency and
    applies the permutation to both sides at compile time: the columns (and
    bias) of the producing weights and the rows of the consuming weights.
    Results are unchanged; the most frequently active rows become one
    contiguous, mostly cache-resident block.

    Ops without the attribute, or whose input has uses or producers the
    permutation cannot follow (a value used outside the block, broadcasts,
    non-constant weights), are left alone. The attribute is dropped once
    applied.
  }];
  let dependentDialects = ["::sift::sparsity::SparsityDialect"];
}

def NarrowMatmulWeights : Pass<"narrow-matmul-weights", "::mlir::ModuleOp"> {
  let summary = "Store the constant weights of f32 matmuls in bf16 or f16";
  let description = [{
    Replaces the constant f32 weights of every `linalg.matmul` that starts
    from zero and of every `sparsity.gated_matmul` on f32 activations with a
    copy in `element-type` (`bf16` or `f16`), rounded to nearest even. The
    matmul then widens each weight exactly to f32 and accumulates in f32:
    activations and results keep their precision, and a kernel reads half the
    weight bytes, which is what bounds a memory-bound product (a decode step).
    Matmuls whose weights are not constants keep f32.

    A weight beyond f16's range (65504) is an error naming the matmul: it
    would become infinite. bf16 has f32's range.

    Example (`element-type=bf16`):

    ```mlir
    %w = arith.constant dense<...> : tensor<2048x5632xf32>
    %y = linalg.matmul ins(%x, %w : tensor<1x2048xf32>, tensor<2048x5632xf32>)
           outs(%zero : tensor<1x5632xf32>) -> tensor<1x5632xf32>
    // becomes
    %w = arith.constant dense_resource<w_bf16> : tensor<2048x5632xbf16>
    %y = linalg.matmul ins(%x, %w : tensor<1x2048xf32>, tensor<2048x5632xbf16>)
           outs(%zero : tensor<1x5632xf32>) -> tensor<1x5632xf32>
    ```
  }];
  let options = [
    Option<"elementType", "element-type", "std::string", /*default=*/"\"bf16\"",
           "The type weights are stored in: bf16 or f16">,
  ];
}

def AccumulateMatmulsInF32
    : Pass<"accumulate-matmuls-in-f32", "::mlir::func::FuncOp"> {
  let summary = "Run bf16 and f16 matmuls with constant weights as f32 "
                "products over the 16-bit weights";
  let description = [{
    A model exported in f16 or bf16 multiplies 16-bit activations by 16-bit
    weights. Each `linalg.matmul` of one such type that starts from zero and
    has constant weights becomes: activations widened to f32, a product that
    reads the weights as they are and accumulates in f32, and its result
    rounded back to the model's type. The weights keep their bytes, and the
    product reaches the runtime's f32-accumulating kernels
    (`--convert-matmul-to-kernel-calls`), which also sum more precisely than
    a 16-bit accumulator.

    ```mlir
    %y = linalg.matmul ins(%x, %w : tensor<1x64xf16>, tensor<64x128xf16>)
           outs(%zero : tensor<1x128xf16>) -> tensor<1x128xf16>
    // becomes
    %xf = linalg.generic {...} ins(%x : tensor<1x64xf16>) -> tensor<1x64xf32>  // arith.extf
    %yf = linalg.matmul ins(%xf, %w : tensor<1x64xf32>, tensor<64x128xf16>)
            outs(%zero32 : tensor<1x128xf32>) -> tensor<1x128xf32>
    %y = linalg.generic {...} ins(%yf : tensor<1x128xf32>) -> tensor<1x128xf16>  // arith.truncf
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def SplitLargeBlocks : Pass<"split-large-blocks"> {
  let summary = "Split long blocks into chains of blocks of bounded length";
  let description = [{
    A model's function is one block of thousands of ops. Lowerings that split
    a block at each op they expand (`--convert-scf-to-cf` for every loop)
    move the rest of the block each time, which is quadratic in its length.
    This pass cuts every block of more than `max-ops` ops into a chain of
    blocks of `max-ops` ops each (the last may hold fewer), each followed by
    an unconditional `cf.br` to the next; values still dominate their uses,
    so nothing else changes.
    Only blocks of regions that may hold several blocks (function bodies,
    not loop bodies) are cut.
  }];
  let options = [
    Option<"maxOps", "max-ops", "unsigned", /*default=*/"64",
           "The most ops a block keeps, not counting the branch added">,
  ];
  let dependentDialects = ["::mlir::cf::ControlFlowDialect"];
}

def DeallocateBuffersAfterLastUse
    : Pass<"deallocate-buffers-after-last-use"> {
  let summary = "Free each block-local buffer right after its last use "
                "instead of at the end of its block";
  let description = [{
    `--ownership-based-buffer-deallocation` frees the buffers a block owns in
    one `bufferization.dealloc` at the end of the block. A model's function
    is one long block, so every intermediate tensor stays allocated until
    the model returns, and `--buffer-deallocation-simplification` then
    compares every pair of that dealloc's thousands of buffers.

    Run after the ownership-based deallocation (and a canonicalization that
    folds its ownership conditions), this pass takes out of each
    `bufferization.dealloc` every buffer that the same block allocates with
    `memref.alloc`, that the dealloc owns unconditionally (a constant true
    condition) and that cannot escape: neither the buffer nor any memref an
    op derives from it (views, casts, call results) reaches a terminator, a
    store or another dealloc. Such a buffer gets a `memref.dealloc` right
    after the last op of the block that uses it or anything derived from it.
    Everything else is left to the dealloc at the end of the block.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def SiftInsertRuntimeChecks
    : Pass<"sift-insert-runtime-checks", "::mlir::ModuleOp"> {
  let summary = "Check run-time divisors and allocation sizes, reporting "
                "failures through the Sift runtime";
  let description = [{
    Data fed at run time can make a compiled model divide an integer by
    zero (or the minimum value by -1, which traps on x86 as well) or
    allocate a buffer of a negative or absurd size. This pass, run on
    memrefs and scf loops before the lowering to LLVM, makes each of those
    a call into the Sift runtime that prints an error naming the ONNX node
    (from the op's location) and exits with status 2:

    - before each integer division or remainder whose divisor is not a
      constant other than 0 (and -1, for signed ops), a check that calls
      `sift_runtime_error("node 'X' (Div): integer division by zero")`;
    - before each `memref.alloc` with dynamic sizes, one call of
      `sift_alloc_bytes(bytes, dim, site)` per dynamic dimension, which
      rejects negative dimensions and sizes that overflow 64 bits; before
      the others, `sift_note_alloc_site(site)`. Either names the node of
      the allocation that follows, which the runtime's
      `_mlir_memref_to_llvm_alloc` (use-generic-functions) reports if
      memory runs out.

    - each `cf.assert` (the importer asserts what it cannot check at
      compile time, as a Range's length) becomes the same call with the
      assertion's message, instead of LLVM's abort.

    A statically shaped buffer whose size overflows 64 bits is an error at
    compile time.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def FuseElementwiseChains : Pass<"fuse-elementwise-chains"> {
  let summary = "Fuse each elementwise linalg op into its elementwise "
                "consumer when it has no other use";
  let description = [{
    Upstream's producer-consumer fusion of elementwise `linalg.generic`s on
    tensors, restricted to producers whose result has a single use, so that
    nothing is computed twice, and without upstream's reshape propagation.
    Each fusion copies both bodies into a new op, so a chain of n ops fused
    into one would cost O(n^2) copies: a fusion whose two bodies together
    hold more than `max-body-ops` ops is left out, and a long chain becomes
    several loop nests of about that many ops each.
  }];
  let options = [
    Option<"maxBodyOps", "max-body-ops", "unsigned", /*default=*/"256",
           "The most ops (the yield included) of the two bodies of a fusion">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def FlattenConstantGlobals
    : Pass<"flatten-constant-globals", "::mlir::ModuleOp"> {
  let summary = "Give every multi-dimensional constant `llvm.mlir.global` a "
                "flat array type";
  let description = [{
    `--finalize-memref-to-llvm` gives a constant `memref.global` of shape
    64x256x1x1 the LLVM type `[64 x [256 x [1 x [1 x float]]]]`, and the
    translation to LLVM IR builds one uniqued LLVM constant per innermost
    row: 16,384 one-element arrays here, millions for a real model, which
    dominate its compile time and memory. The nested arrays have the same
    bytes as one flat array, and every use of a global under opaque
    pointers addresses it through `llvm.mlir.addressof` with its own GEP
    element type, so this pass retypes each constant global whose
    initializer is a dense integer or float attribute of rank > 1 (with
    elements of whole bytes) to `[N x T]` and reshapes the initializer to
    match: the translation then copies it as one block.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def ExternalizeWeights : Pass<"externalize-weights", "::mlir::ModuleOp"> {
  let summary = "Move large constant `llvm.mlir.global`s into a weights file "
                "that the runtime maps at start";
  let description = [{
    A model's weights linked into its executable make the object file, the
    link and the executable as large as the weights, and past 2 GiB the
    link fails (x86-64's 32-bit PC-relative relocations). This pass writes
    every constant global of at least `min-bytes` bytes (dense or resource
    int/float initializer with whole-byte elements, not a splat) to the
    weights file `file`, in the format of `sift/runtime/WeightsFile.h`, and
    replaces each `llvm.mlir.addressof` of it with the address at its
    offset from the pointer `@sift_weights`, which the Sift runtime sets
    when it maps the file (`sift_load_weights`). The file's size and
    checksum go into the module's `sift.weights_size` and
    `sift.weights_checksum` attributes, for the runtime to check the file
    against. When no global qualifies, or those that do total less than
    `min-total-bytes`, nothing changes and no file is written.
  }];
  let options = [
    Option<"file", "file", "std::string", /*default=*/"",
           "The weights file to write">,
    Option<"minBytes", "min-bytes", "uint64_t", /*default=*/"65536",
           "The smallest constant moved to the file">,
    Option<"minTotalBytes", "min-total-bytes", "uint64_t", /*default=*/"0",
           "Move nothing unless the constants to move total this many bytes">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // SIFT_TRANSFORMS_PASSES_TD

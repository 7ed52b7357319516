//===- ExternalizeWeights.cpp - Large constants into a weights file -------===//

#include "sift/Transforms/Passes.h"
#include "sift/runtime/WeightsFile.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

namespace sift {
#define GEN_PASS_DEF_EXTERNALIZEWEIGHTS
#include "sift/Transforms/Passes.h.inc"
} // namespace sift

using namespace mlir;
namespace weights = sift::weights;

namespace {
constexpr llvm::StringLiteral kBaseSymbol = "sift_weights";

/// The bytes of `global`'s initializer as LLVM lays them out, or nothing
/// when it is not a non-splat dense or resource int/float initializer with
/// whole-byte elements.
std::optional<ArrayRef<char>> initializerBytes(LLVM::GlobalOp global) {
  if (!global.getConstant())
    return std::nullopt;
  auto value = dyn_cast_or_null<ElementsAttr>(global.getValueOrNull());
  if (!value)
    return std::nullopt;
  Type element = value.getElementType();
  if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0)
    return std::nullopt;
  if (auto dense = dyn_cast<DenseIntOrFPElementsAttr>(value)) {
    if (dense.isSplat())
      return std::nullopt;
    return dense.getRawData();
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      return blob->getData();
  return std::nullopt;
}

/// Writes the weights file: header, then each constant at an aligned
/// offset. Returns the offsets, and the file's size and checksum.
struct WrittenFile {
  SmallVector<uint64_t> offsets;
  uint64_t size = 0;
  uint64_t checksum = 0;
};

FailureOr<WrittenFile> writeWeightsFile(StringRef path,
                                        ArrayRef<ArrayRef<char>> constants,
                                        Operation *where) {
  std::error_code error;
  llvm::raw_fd_ostream file(path, error, llvm::sys::fs::OF_None);
  if (error)
    return where->emitError("cannot write the weights file '")
           << path << "': " << error.message();
  WrittenFile written;
  weights::Checksum checksum;
  static const unsigned char zeros[weights::kAlignment] = {};
  file.write_zeros(weights::kHeaderBytes);
  uint64_t offset = weights::kHeaderBytes;
  for (ArrayRef<char> bytes : constants) {
    uint64_t padding = weights::alignOffset(offset) - offset;
    file.write(reinterpret_cast<const char *>(zeros), padding);
    checksum.update(zeros, padding);
    offset += padding;
    written.offsets.push_back(offset);
    file.write(bytes.data(), bytes.size());
    checksum.update(reinterpret_cast<const unsigned char *>(bytes.data()),
                    bytes.size());
    offset += bytes.size();
  }
  written.size = offset;
  written.checksum = checksum.value();
  char header[weights::kHeaderBytes] = {};
  std::memcpy(header, weights::kMagic, sizeof(weights::kMagic));
  std::memcpy(header + 8, &written.size, sizeof(written.size));
  std::memcpy(header + 16, &written.checksum, sizeof(written.checksum));
  file.pwrite(header, sizeof(header), 0);
  file.close();
  if (file.has_error()) {
    std::error_code writeError = file.error();
    file.clear_error();
    return where->emitError("cannot write the weights file '")
           << path << "': " << writeError.message();
  }
  return written;
}

struct ExternalizeWeightsPass
    : sift::impl::ExternalizeWeightsBase<ExternalizeWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::GlobalOp> moved;
    SmallVector<ArrayRef<char>> constants;
    uint64_t total = 0;
    for (auto global : module.getOps<LLVM::GlobalOp>()) {
      std::optional<ArrayRef<char>> bytes = initializerBytes(global);
      if (bytes && bytes->size() >= minBytes) {
        moved.push_back(global);
        constants.push_back(*bytes);
        total += bytes->size();
      }
    }
    if (moved.empty() || total < minTotalBytes)
      return;
    if (file.empty()) {
      module.emitError("externalize-weights needs a weights file (file=)");
      return signalPassFailure();
    }
    FailureOr<WrittenFile> written = writeWeightsFile(file, constants, module);
    if (failed(written))
      return signalPassFailure();

    MLIRContext *context = &getContext();
    auto pointer = LLVM::LLVMPointerType::get(context);
    OpBuilder builder(context);
    builder.setInsertionPointToStart(module.getBody());
    LLVM::GlobalOp::create(builder, module.getLoc(), pointer,
                           /*isConstant=*/false, LLVM::Linkage::External,
                           kBaseSymbol, /*value=*/Attribute());

    llvm::DenseMap<StringAttr, uint64_t> offsets;
    for (auto [global, offset] : llvm::zip(moved, written->offsets))
      offsets[global.getSymNameAttr()] = offset;
    // Each use loads the base pointer: the file is mapped at run time.
    module.walk([&](LLVM::AddressOfOp address) {
      auto found = offsets.find(address.getGlobalNameAttr().getAttr());
      if (found == offsets.end())
        return;
      builder.setInsertionPoint(address);
      Location loc = address.getLoc();
      Value base = LLVM::LoadOp::create(
          builder, loc, pointer,
          LLVM::AddressOfOp::create(builder, loc, pointer, kBaseSymbol));
      // Offsets pass 2^31 in large files: an i64 operand, not a constant
      // index (those are 32-bit).
      Value offset = LLVM::ConstantOp::create(
          builder, loc, builder.getI64Type(),
          builder.getI64IntegerAttr(found->second));
      Value at = LLVM::GEPOp::create(builder, loc, pointer,
                                     builder.getI8Type(), base,
                                     ArrayRef<LLVM::GEPArg>{offset},
                                     LLVM::GEPNoWrapFlags::inbounds);
      address.replaceAllUsesWith(at);
      address.erase();
    });
    for (LLVM::GlobalOp global : moved)
      global.erase();
    auto i64 = builder.getI64Type();
    module->setAttr("sift.weights_size",
                    builder.getIntegerAttr(i64, written->size));
    module->setAttr("sift.weights_checksum",
                    builder.getIntegerAttr(i64, written->checksum));
  }
};
} // namespace

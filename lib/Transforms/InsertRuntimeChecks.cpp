//===- InsertRuntimeChecks.cpp - Checks of what data decides at run time ---===//
//
// Integer divisors and dynamic buffer sizes come from the data a compiled
// model is given. Without checks a zero divisor raises SIGFPE and a negative
// or enormous dimension becomes a wrapped malloc size; with them, the Sift
// runtime reports an error naming the ONNX node: an executable exits with
// status 2, a shared library's run returns it (lib/runtime/LibraryRun.h).
//
//===----------------------------------------------------------------------===//

#include "sift/Transforms/Passes.h"
#include "sift/Utils/NodeNames.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"

namespace sift {
#define GEN_PASS_DEF_SIFTINSERTRUNTIMECHECKS
#include "sift/Transforms/Passes.h.inc"
} // namespace sift

using namespace mlir;

namespace {
constexpr llvm::StringLiteral kErrorFn = "sift_runtime_error";
constexpr llvm::StringLiteral kAllocBytesFn = "sift_alloc_bytes";
constexpr llvm::StringLiteral kNoteAllocSiteFn = "sift_note_alloc_site";
constexpr llvm::StringLiteral kAllocFn = "_mlir_memref_to_llvm_alloc";

/// "node 'NAME' (OP)" for an op imported from an ONNX node; empty for ops
/// with no node, which the runtime's messages then leave out.
std::string describeNode(Location loc) {
  StringRef name = sift::getNodeName(loc);
  if (name.empty())
    return "";
  std::string text = ("node '" + name + "'").str();
  if (StringRef opType = sift::getNodeOpType(loc); !opType.empty())
    text += (" (" + opType + ")").str();
  return text;
}

/// Builds the checks of one module: its runtime declarations and one
/// constant string per distinct message.
class CheckBuilder {
public:
  explicit CheckBuilder(ModuleOp module)
      : module(module), ptrType(LLVM::LLVMPointerType::get(
                            module.getContext())) {}

  LogicalResult checkDivisor(Operation *op, bool isSigned);
  LogicalResult checkAllocation(memref::AllocOp alloc);
  /// Replaces `assertion` by a call of sift_runtime_error with its message.
  void reportAssertion(cf::AssertOp assertion);

private:
  /// The address of a NUL-terminated constant holding `text`.
  Value stringAddress(OpBuilder &builder, Location loc, StringRef text);
  func::FuncOp declare(StringRef name, TypeRange inputs, TypeRange results);
  /// Calls sift_runtime_error(`message`) when `failed` holds.
  void failIf(OpBuilder &builder, Location loc, Value failed,
              StringRef message);

  ModuleOp module;
  Type ptrType;
  llvm::StringMap<LLVM::GlobalOp> strings;
};
} // namespace

Value CheckBuilder::stringAddress(OpBuilder &builder, Location loc,
                                  StringRef text) {
  LLVM::GlobalOp &global = strings[text];
  if (!global) {
    OpBuilder atTop = OpBuilder::atBlockBegin(module.getBody());
    auto type = LLVM::LLVMArrayType::get(atTop.getI8Type(), text.size() + 1);
    global = LLVM::GlobalOp::create(
        atTop, loc, type, /*isConstant=*/true, LLVM::Linkage::Internal,
        "sift_check_text_" + std::to_string(strings.size() - 1),
        atTop.getStringAttr(text.str() + '\0'));
  }
  return LLVM::AddressOfOp::create(builder, loc, global);
}

func::FuncOp CheckBuilder::declare(StringRef name, TypeRange inputs,
                                   TypeRange results) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
  auto function =
      func::FuncOp::create(builder, module.getLoc(), name,
                           builder.getFunctionType(inputs, results));
  function.setPrivate();
  return function;
}

void CheckBuilder::failIf(OpBuilder &builder, Location loc, Value failed,
                          StringRef message) {
  func::FuncOp error = declare(kErrorFn, ptrType, {});
  auto ifOp = scf::IfOp::create(builder, loc, failed);
  OpBuilder thenBuilder = ifOp.getThenBodyBuilder();
  func::CallOp::create(thenBuilder, loc, error,
                       stringAddress(thenBuilder, loc, message));
}

LogicalResult CheckBuilder::checkDivisor(Operation *op, bool isSigned) {
  Value dividend = op->getOperand(0), divisor = op->getOperand(1);
  Type type = divisor.getType();
  if (!type.isIntOrIndex())
    return success();
  APInt constant;
  if (matchPattern(divisor, m_ConstantInt(&constant)) && !constant.isZero() &&
      !(isSigned && constant.isAllOnes()))
    return success();

  Location loc = op->getLoc();
  OpBuilder builder(op);
  std::string node = describeNode(loc);
  std::string prefix = node.empty() ? "" : node + ": ";
  Value zero = arith::ConstantOp::create(builder, loc, type,
                                         builder.getZeroAttr(type));
  Value isZero = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq,
                                       divisor, zero);
  failIf(builder, loc, isZero, prefix + "integer division by zero");
  if (!isSigned)
    return success();
  // The minimum value divided by -1 overflows, and traps as x86's idiv does.
  unsigned width = type.isIndex() ? 64 : type.getIntOrFloatBitWidth();
  Value minimum = arith::ConstantOp::create(
      builder, loc, type,
      builder.getIntegerAttr(type, APInt::getSignedMinValue(width)));
  Value minusOne = arith::ConstantOp::create(
      builder, loc, type, builder.getIntegerAttr(type, -1));
  Value isMinimum = arith::CmpIOp::create(
      builder, loc, arith::CmpIPredicate::eq, dividend, minimum);
  Value isMinusOne = arith::CmpIOp::create(
      builder, loc, arith::CmpIPredicate::eq, divisor, minusOne);
  Value overflows = arith::AndIOp::create(builder, loc, isMinimum, isMinusOne);
  failIf(builder, loc, overflows,
         prefix + "integer division overflows (the minimum value by -1)");
  return success();
}

LogicalResult CheckBuilder::checkAllocation(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  Location loc = alloc.getLoc();
  int64_t bytes = DataLayout::closest(alloc)
                      .getTypeSize(type.getElementType())
                      .getFixedValue();
  for (int64_t dim : type.getShape())
    if (!ShapedType::isDynamic(dim) &&
        __builtin_mul_overflow(bytes, dim, &bytes))
      return alloc.emitError() << "buffer of type " << type
                               << " has a size that overflows 64 bits";

  OpBuilder builder(alloc);
  Value site = stringAddress(builder, loc, describeNode(loc));
  if (alloc.getDynamicSizes().empty()) {
    func::CallOp::create(builder, loc,
                         declare(kNoteAllocSiteFn, ptrType, {}), site);
    return success();
  }
  Type i64 = builder.getI64Type();
  func::FuncOp allocBytes = declare(kAllocBytesFn, {i64, i64, ptrType}, i64);
  Value size = arith::ConstantOp::create(builder, loc, i64,
                                         builder.getI64IntegerAttr(bytes));
  for (Value dim : alloc.getDynamicSizes()) {
    Value dim64 = arith::IndexCastOp::create(builder, loc, i64, dim);
    size = func::CallOp::create(builder, loc, allocBytes,
                                ValueRange{size, dim64, site})
               .getResult(0);
  }
  return success();
}

void CheckBuilder::reportAssertion(cf::AssertOp assertion) {
  OpBuilder builder(assertion);
  Location loc = assertion.getLoc();
  Value holds = assertion.getArg();
  Value isTrue = arith::ConstantOp::create(builder, loc,
                                           builder.getBoolAttr(true));
  Value fails = arith::XOrIOp::create(builder, loc, holds, isTrue);
  failIf(builder, loc, fails, assertion.getMsg());
  assertion.erase();
}

namespace {
struct SiftInsertRuntimeChecks
    : sift::impl::SiftInsertRuntimeChecksBase<SiftInsertRuntimeChecks> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    CheckBuilder checks(module);
    // Like malloc, the runtime's allocation returns memory nothing else
    // points to; saying so keeps LLVM's alias analysis as precise as it is
    // for malloc. finalize-memref-to-llvm reuses this declaration.
    if (!module.lookupSymbol(kAllocFn)) {
      OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
      auto ptrType = LLVM::LLVMPointerType::get(&getContext());
      auto alloc = LLVM::LLVMFuncOp::create(
          builder, module.getLoc(), kAllocFn,
          LLVM::LLVMFunctionType::get(ptrType, builder.getI64Type()));
      alloc.setResAttrsAttr(builder.getArrayAttr(builder.getDictionaryAttr(
          builder.getNamedAttr(LLVM::LLVMDialect::getNoAliasAttrName(),
                               builder.getUnitAttr()))));
    }
    WalkResult result = module.walk([&](Operation *op) {
      LogicalResult checked =
          TypeSwitch<Operation *, LogicalResult>(op)
              .Case<arith::DivSIOp, arith::RemSIOp, arith::CeilDivSIOp,
                    arith::FloorDivSIOp>([&](Operation *division) {
                return checks.checkDivisor(division, /*isSigned=*/true);
              })
              .Case<arith::DivUIOp, arith::RemUIOp, arith::CeilDivUIOp>(
                  [&](Operation *division) {
                    return checks.checkDivisor(division, /*isSigned=*/false);
                  })
              .Case([&](memref::AllocOp alloc) {
                return checks.checkAllocation(alloc);
              })
              .Case([&](cf::AssertOp assertion) {
                checks.reportAssertion(assertion);
                return success();
              })
              .Default(success());
      return failed(checked) ? WalkResult::interrupt() : WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace

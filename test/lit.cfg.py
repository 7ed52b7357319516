# -*- Python -*-
# lit configuration for the Sift regression suite.

import os
import shutil
import subprocess
import sys

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SIFT"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".pbtxt"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "lib", "Inputs"]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.sift_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", config.shlibext))
config.substitutions.append(("%sift_src_root", config.sift_src_root))
config.substitutions.append(("%sift_obj_root", config.sift_obj_root))
config.substitutions.append(("%sift_lib_dir", config.sift_lib_dir))
config.substitutions.append(("%mlir_lib_dir", config.mlir_lib_dir))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# Project tools come from the build tree, upstream ones from LLVM 22.
tool_dirs = [config.sift_tools_dir, config.llvm_tools_dir]
tools = [
    "sparse-opt",
    "sparse-translate",
    "sparse-compile",
    "llvm-readelf",
    "sift-thread-pool-stress",
    "sift-thread-pool-errors",
    ToolSubst("mlir-runner", unresolved="fatal"),
    ToolSubst("not", unresolved="fatal"),
    ToolSubst("count", unresolved="fatal"),
    ToolSubst("split-file", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Shared libraries that mlir-runner loads for printing from executed IR.
config.substitutions.append(
    (
        "%mlir_runner_utils",
        os.path.join(config.mlir_lib_dir, "libmlir_runner_utils" + config.shlibext),
    )
)
config.substitutions.append(
    (
        "%mlir_c_runner_utils",
        os.path.join(config.mlir_lib_dir, "libmlir_c_runner_utils" + config.shlibext),
    )
)

config.substitutions.append(("%python", sys.executable))

# The ONNX backend test data (Debian's libonnx-testdata).
onnx_testdata = "/usr/share/libonnx-testdata/data"
if os.path.isdir(onnx_testdata):
    config.available_features.add("onnx-testdata")
    config.substitutions.append(("%onnx_testdata", onnx_testdata))

# CMake, for the tests of the install tree and packages (test/install).
config.substitutions.append(("%cmake_generator_args",
    '-G "%s" -DCMAKE_MAKE_PROGRAM="%s"'
    % (config.cmake_generator, config.cmake_make_program)))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%cpack", config.cpack_command))
if shutil.which("dpkg-deb"):
    config.available_features.add("deb-tools")

# Optional tools that some tests run under.
if shutil.which("valgrind"):
    config.available_features.add("valgrind")

# A sanitizer build (scripts/sanitize.sh): executables then need the
# sanitizers' shared runtimes, and valgrind cannot run ASan's. A program built
# without -fsanitize that loads a sanitized library (the tests' C clients of
# --emit=lib) needs ASan's runtime loaded first, or the threads the library
# starts are unknown to LeakSanitizer, which then reports their state leaked.
sanitizer_preload = ""
if config.sift_sanitize:
    config.available_features.add("sanitizer")
    if "address" in config.sift_sanitize:
        libasan = subprocess.check_output(
            ["c++", "-print-file-name=libasan.so"], text=True
        ).strip()
        sanitizer_preload = "env LD_PRELOAD=" + libasan
config.substitutions.append(("%sanitizer_preload", sanitizer_preload))

# The libFuzzer targets, from the separate fuzz build (scripts/fuzz.sh).
fuzz_targets = [
    "sift-fuzz-import-binary",
    "sift-fuzz-import-text",
    "sift-fuzz-tensor-npy",
    "sift-fuzz-tensor-pb",
]
if all(
    os.path.isfile(os.path.join(config.sift_fuzz_tools_dir, target))
    for target in fuzz_targets
):
    config.available_features.add("fuzzers")
    config.substitutions.append(("%sift_fuzz_tools_dir", config.sift_fuzz_tools_dir))

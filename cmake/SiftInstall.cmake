# Install rules, the CMake package (find_package(Sift)) and the Debian
# package (cpack -G DEB). Included at the end of the top-level CMakeLists.txt.
#
# <prefix>/bin/                 sparse-opt, sparse-translate, sparse-compile
# <prefix>/lib/sift/            what sparse-compile links models with: the
#                               runtime and a copy of libprotobuf.a
# <prefix>/include/sift/        public headers, ODS (.td) and generated .inc
# <prefix>/lib/libSift*.a       the libraries of the CMake package
# <prefix>/lib/cmake/sift/      SiftConfig.cmake, SiftTargets.cmake
# <prefix>/share/doc/sift/      README.md, docs/*.md, docs/reference/*.md
#
# Two components, which are also the two Debian packages: `sift` (the tools,
# the runtime and its header, the docs: what compiling a model needs) and
# `dev` (headers, libraries and CMake package for building against Sift).

include(CMakePackageConfigHelpers)

set(SIFT_INSTALL_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/sift")
set(SIFT_INSTALL_DOC_DIR "${CMAKE_INSTALL_DATAROOTDIR}/doc/sift")

# The tools. Their RPATH names the LLVM installation they were built
# against, where libMLIR.so is (Debian's libmlir-22 puts it only in
# /usr/lib/llvm-22/lib): add_llvm_executable's install RPATH, $ORIGIN/../lib,
# would not find it. They are linked with it, so that installing copies them
# as they are (CMake's RPATH_CHANGE silently left the build RPATH in place:
# it looks for the build RPATH with a trailing ':', which the linker drops).
set_target_properties(sparse-opt sparse-translate sparse-compile PROPERTIES
  INSTALL_RPATH "${LLVM_LIBRARY_DIR}"
  BUILD_WITH_INSTALL_RPATH ON)
install(TARGETS sparse-opt sparse-translate sparse-compile
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT sift)

# The runtime of compiled models, where an installed sparse-compile looks
# for it (relative to its own directory; see Packaging.cpp).
install(TARGETS sift_runtime sift_runtime_main
  EXPORT SiftTargets
  ARCHIVE DESTINATION "${SIFT_INSTALL_RUNTIME_DIR}" COMPONENT sift)

# Executables link protobuf statically for their .pb reader. The installed
# tree carries its own copy of the static library that the runtime's
# generated TensorProto code was compiled against: generated code needs the
# protobuf it was generated for, and the installed tree then needs neither
# libprotobuf-dev nor the build machine's paths.
find_package(Protobuf REQUIRED)
get_filename_component(sift_protobuf_dir "${Protobuf_LIBRARY}" DIRECTORY)
install(FILES "${sift_protobuf_dir}/libprotobuf.a"
  DESTINATION "${SIFT_INSTALL_RUNTIME_DIR}" COMPONENT sift)
if(EXISTS /usr/share/doc/libprotobuf-dev/copyright)
  install(FILES /usr/share/doc/libprotobuf-dev/copyright
    DESTINATION "${SIFT_INSTALL_DOC_DIR}" RENAME protobuf-copyright
    COMPONENT sift)
endif()

# The header that sparse-compile's generated glue includes, and the layout
# of the weights file.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/sift/runtime"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/sift" COMPONENT sift)

# Headers for pass writers: the public headers and ODS, and the headers
# tablegen generated from them.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/sift"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT dev
  FILES_MATCHING PATTERN "*.h" PATTERN "*.td"
  PATTERN "runtime" EXCLUDE)
install(DIRECTORY "${PROJECT_BINARY_DIR}/include/sift"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT dev
  FILES_MATCHING PATTERN "*.inc"
  PATTERN "CMakeFiles" EXCLUDE)

# The libraries, as imported targets Sift::<name>.
set(SIFT_EXPORTED_LIBRARIES
  SiftSparsityDialect
  SiftUtils
  SiftSparsityToLinalg
  SiftKernelCalls
  SiftTransforms
  SiftPipelines
  SiftImportONNX
  )
install(TARGETS ${SIFT_EXPORTED_LIBRARIES}
  EXPORT SiftTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT dev
  INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(EXPORT SiftTargets
  NAMESPACE Sift::
  DESTINATION "${SIFT_INSTALL_CMAKE_DIR}"
  COMPONENT dev)

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/SiftConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/cmake/SiftConfig.cmake"
  INSTALL_DESTINATION "${SIFT_INSTALL_CMAKE_DIR}"
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_BINDIR
    SIFT_INSTALL_RUNTIME_DIR)
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/cmake/SiftConfigVersion.cmake"
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/cmake/SiftConfig.cmake"
  "${PROJECT_BINARY_DIR}/cmake/SiftConfigVersion.cmake"
  DESTINATION "${SIFT_INSTALL_CMAKE_DIR}" COMPONENT dev)

# The docs, in the repository's layout so that README.md's links work; the
# references as the build generated them.
install(FILES "${PROJECT_SOURCE_DIR}/README.md"
  DESTINATION "${SIFT_INSTALL_DOC_DIR}" COMPONENT sift)
file(GLOB sift_docs "${PROJECT_SOURCE_DIR}/docs/*.md")
install(FILES ${sift_docs}
  DESTINATION "${SIFT_INSTALL_DOC_DIR}/docs" COMPONENT sift)
foreach(doc ${SIFT_GENERATED_DOCS})
  install(FILES "${PROJECT_BINARY_DIR}/docs/${doc}"
    DESTINATION "${SIFT_INSTALL_DOC_DIR}/docs/reference" COMPONENT sift)
endforeach()

# cpack -G DEB in the build tree: sift_<version>_<arch>.deb and
# sift-dev_<version>_<arch>.deb, installing under /usr.
set(CPACK_PACKAGE_NAME sift)
set(CPACK_PACKAGE_VENDOR "Sift")
set(CPACK_PACKAGE_CONTACT "Sift developers <sift@invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_COMPONENTS_ALL sift dev)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_SIFT_PACKAGE_NAME sift)
# Each package's description: its first line is the synopsis (no
# CPACK_PACKAGE_DESCRIPTION_SUMMARY, which CPack would put before both).
set(CPACK_DEBIAN_SIFT_DESCRIPTION
  "MLIR-based ONNX model compiler with calibrated activation sparsity
sparse-compile compiles ONNX models into standalone executables and
shared libraries for CPUs, optionally with calibrated activation gates
that skip the weight rows of zeroed activations. With sparse-opt and
sparse-translate, and the runtime that compiled models link.")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME sift-dev)
set(CPACK_DEBIAN_DEV_DESCRIPTION
  "Sift: headers, libraries and CMake package for building against it
The sparsity dialect, Sift's passes, pipelines and ONNX importer as static
libraries with their headers, and find_package(Sift) for out-of-tree
passes and tools.")
# What the tools need at run time: the shared libraries they link (objdump
# -p: libMLIR, libLLVM, libonnx and libonnx_proto, libprotobuf, libstdc++,
# libgcc_s, libc; the versions from their symbol versions and the packages'
# shlibs files), and a C++ compiler driver, `c++`, with the static C++
# library, which sparse-compile links models with (g++). Not computed by
# dpkg-shlibdeps: through the tools' RPATH it resolves libLLVM.so.22.1 to
# /usr/lib/llvm-22/lib/libLLVM.so.22.1, a symbolic link that llvm-22-dev
# owns, and finds no shlibs for it (the loader, without llvm-22-dev, finds
# libllvm22's copy in the system's library directory).
set(CPACK_DEBIAN_SIFT_PACKAGE_DEPENDS
  "libc6 (>= 2.34), libgcc-s1 (>= 3.0), libstdc++6 (>= 11), libllvm22, libmlir-22 (>= 1:22.1.8), libonnx1 (>= 1.12.0), libprotobuf32 (>= 3.21.12), g++")
# Building against Sift needs the development packages of what its
# libraries link, and MLIR's CMake package and headers.
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
  "sift (= ${PROJECT_VERSION}), libmlir-22-dev, llvm-22-dev, libonnx-dev, libprotobuf-dev")
include(CPack)

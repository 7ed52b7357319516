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

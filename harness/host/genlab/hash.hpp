// Content hashes for provenance: SHA-256 of files (plugins, reference classifiers) through
// OpenSSL's libcrypto. It does not define run ids (spec.hpp does).
#pragma once
#include <filesystem>
#include <string>

namespace genlab {

std::string sha256_hex(const std::string& bytes);
// Throws genlab::Error naming the file if it cannot be read.
std::string sha256_file(const std::filesystem::path& file);

}  // namespace genlab

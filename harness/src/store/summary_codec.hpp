// RunSummary to bytes and back, for the isolated reader (guarded_read.cpp), which reads run files
// in a child process and sends the summaries through a pipe. Same machine, same build: native
// byte order, no versioning. It does not read or write files.
#pragma once
#include <string>

#include "genlab/store.hpp"

namespace genlab::store_detail {

std::string encode_summary(const RunSummary& summary);
// Throws StoreError if `bytes` is not what encode_summary wrote.
RunSummary decode_summary(const std::string& bytes);

}  // namespace genlab::store_detail

// genlab's version and the git commit libgenlab was built from (stamped at build time).
#pragma once

namespace genlab {

const char* version();     // "0.1.0"
const char* git_commit();  // "1f577e7a75df", "1f577e7a75df-dirty" or "unknown"

}  // namespace genlab

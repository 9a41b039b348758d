// Build- and host-level provenance. Compile-time facts come from CMake definitions.
#include "run/provenance.hpp"

#include <unistd.h>

#include <ctime>

#include "core/vector_math.hpp"
#include "genlab/blas.hpp"
#include "genlab/float_mode.hpp"
#include "genlab/portable.hpp"
#include "genlab/version.hpp"

namespace genlab {

std::string utc_now_iso8601() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

AttrMap build_provenance() {
  char host[256] = "unknown";
  gethostname(host, sizeof host - 1);
  return {{"genlab_version", std::string(version())},
          {"git_commit", std::string(git_commit())},
          {"compiler", std::string(GENLAB_CXX_COMPILER)},
          {"blas", std::string(blas::config())},
          {"blas_core", std::string(blas::core_name())},
          {"blas_threads", static_cast<std::int64_t>(blas::num_threads())},
          {"float_mode", std::string(float_mode_name(float_mode()))},
          {"portable", std::string(portable_isa() ? "true" : "false")},
          {"vector_math", std::string(detail::vector_math_isa())},
          {"host", std::string(host)}};
}

}  // namespace genlab

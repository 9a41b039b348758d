// Internal to libgenlab's optimizers: every parameter's elements cut into fixed chunks, so that
// an update rule runs over all parameters in one dispatch on the compute pool. Chunks depend on
// the parameter sizes only, and each element's update reads only that element, so the result is
// bitwise the same at any thread count. It holds no update rule.
#pragma once
#include <algorithm>
#include <cstddef>
#include <vector>

#include "core/thread_pool.hpp"
#include "genlab/optim.hpp"

namespace genlab::optim_detail {

struct ParamChunk {
  std::size_t param, begin, end;  // elements [begin, end) of params[param]
};

template <class T>
std::vector<ParamChunk> chunk_params(const std::vector<NamedParameter<T>>& params) {
  std::vector<ParamChunk> chunks;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const std::size_t n = params[i].variable.size();
    for (std::size_t begin = 0; begin < n; begin += kElementwiseGrain) {
      chunks.push_back({i, begin, std::min(n, begin + kElementwiseGrain)});
    }
  }
  return chunks;
}

// check(i) for every parameter with a gradient, serially (it may throw; nothing has changed
// yet), then update(i, begin, end) for each of their chunks on the pool (it must not throw).
template <class T, class Check, class Update>
void update_in_chunks(const std::vector<NamedParameter<T>>& params, const std::vector<ParamChunk>& chunks,
                      Check&& check, Update&& update) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (params[i].variable.has_grad()) check(i);
  }
  // One captured pointer keeps the std::function in its small buffer: step() does not allocate.
  const auto run_chunk = [&](std::size_t c) {
    const ParamChunk& chunk = chunks[c];
    if (params[chunk.param].variable.has_grad()) update(chunk.param, chunk.begin, chunk.end);
  };
  compute_pool().run(chunks.size(), [f = &run_chunk](std::size_t c) { (*f)(c); });
}

}  // namespace genlab::optim_detail

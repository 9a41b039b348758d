// Finding and reading run files for analyze: a recursive walk for *.h5 (skipping the writer's
// *.h5.tmp) and reading through isolated reader processes (read_runs_isolated), so a corrupt
// file is listed as unreadable instead of crashing analyze; --threads N runs N reader processes.
// It keeps what analysis needs and drops the rest (config text, unrequested train columns).
#include "genlab/analysis/scan.hpp"

#include <algorithm>
#include <thread>

#include "genlab/error.hpp"

namespace genlab::analysis {

namespace fs = std::filesystem;

std::vector<fs::path> find_run_files(const std::vector<fs::path>& inputs) {
  std::vector<fs::path> files;
  for (const fs::path& input : inputs) {
    std::error_code ec;
    const fs::file_status st = fs::status(input, ec);
    if (ec || !fs::exists(st)) throw ConfigError("analyze: no such file or folder: " + input.string());
    if (!fs::is_directory(st)) {
      files.push_back(input);
      continue;
    }
    for (auto it = fs::recursive_directory_iterator(input, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->path().extension() == ".h5" && it->is_regular_file(ec)) files.push_back(it->path());
    }
    if (ec) throw ConfigError("analyze: cannot list " + input.string() + ": " + ec.message());
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

namespace {
std::string text_attr(const AttrMap& attrs, const std::string& key) {
  const auto it = attrs.find(key);
  return it == attrs.end() ? std::string() : attr_to_string(it->second);
}

void keep_train_columns(RunSummary& s, const ScanOptions& options) {
  if (options.all_train) return;
  std::erase_if(s.train, [&](const auto& column) {
    return column.first != "step" && column.first != "epoch" && options.train_columns.count(column.first) == 0;
  });
}
}  // namespace

namespace {
RunRecord record_of(const fs::path& file, IsolatedRead read, const ScanOptions& options) {
  RunRecord r;
  r.file = file;
  r.run_id = file.stem().string();
  if (!read.summary) {
    r.error = read.error;
    r.status = "unreadable";
    r.message = r.error;
    return r;
  }
  r.data = std::move(*read.summary);
  r.data.config_text.clear();
  r.data.config_text.shrink_to_fit();
  keep_train_columns(r.data, options);
  r.status = text_attr(r.data.attrs, "status");
  if (r.status.empty()) r.status = "unknown";
  r.message = text_attr(r.data.attrs, "status_message");
  if (const std::string id = text_attr(r.data.attrs, "run_id"); !id.empty()) r.run_id = id;
  r.seed = text_attr(r.data.attrs, "seed");
  if (r.seed.empty() && r.data.grid.count("seed")) r.seed = r.data.grid.at("seed");
  return r;
}
}  // namespace

RunRecord read_record(const fs::path& file, const ScanOptions& options) {
  return record_of(file, std::move(read_runs_isolated({file}).at(0)), options);
}

// Each thread reads one contiguous slice of the files through its own reader process
// (read_runs_isolated): a corrupt file costs only itself, and processes, unlike threads
// sharing HDF5's global lock, read in parallel. No thread of this process calls HDF5 meanwhile.
std::vector<RunRecord> scan_runs(const std::vector<fs::path>& files, const ScanOptions& options) {
  std::vector<RunRecord> out(files.size());
  unsigned threads = options.threads;
  if (threads == 0) threads = 1;  // see the file comment
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(files.size(), 1)));
  auto work = [&](std::size_t begin, std::size_t end) {
    const std::vector<fs::path> slice(files.begin() + static_cast<std::ptrdiff_t>(begin),
                                      files.begin() + static_cast<std::ptrdiff_t>(end));
    std::vector<IsolatedRead> reads = read_runs_isolated(slice);
    for (std::size_t i = begin; i < end; ++i) out[i] = record_of(files[i], std::move(reads[i - begin]), options);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    const std::size_t begin = files.size() * t / threads, end = files.size() * (t + 1) / threads;
    if (threads == 1) work(begin, end);
    else pool.emplace_back(work, begin, end);
  }
  for (auto& t : pool) t.join();
  return out;
}

}  // namespace genlab::analysis

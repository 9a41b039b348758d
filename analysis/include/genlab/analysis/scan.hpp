// Scanning a results folder: every run file (*.h5) below the given folders, read with a few
// threads through the store API. A file that cannot be read is kept as "unreadable" with the
// reason, never dropped. It does not group, pool or judge metrics (aggregate.hpp does).
#pragma once
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "genlab/store.hpp"

namespace genlab::analysis {

// One run file as analyze sees it.
struct RunRecord {
  std::filesystem::path file;
  std::string error;      // non-empty: the file could not be read (status "unreadable")
  RunSummary data;        // /config is dropped; /train keeps only the columns asked for
  std::string status;     // running | interrupted | finished | diverged | failed | unreadable (as stored)
  std::string message;    // status_message, or the read error
  std::string run_id;     // attribute run_id (the file stem if absent)
  std::string seed;       // attribute seed as text ("" if absent)

  // Finished and unfinished (running, interrupted) runs enter the means; diverged, failed,
  // unreadable ones never do.
  bool unfinished() const { return status == "running" || status == "interrupted"; }
  bool pooled() const { return status == "finished" || unfinished(); }
};

struct ScanOptions {
  unsigned threads = 0;                   // readers; 0 = 1 (HDF5 serialises readers)
  bool all_train = false;                 // keep every /train column
  std::set<std::string> train_columns;    // else keep only these (step, epoch always kept)
};

// Every "*.h5" file below each input folder (recursively) and every input that is a file,
// sorted and without duplicates. Throws ConfigError naming an input that does not exist.
std::vector<std::filesystem::path> find_run_files(const std::vector<std::filesystem::path>& inputs);

// Reads `files` (in that order) with options.threads readers.
std::vector<RunRecord> scan_runs(const std::vector<std::filesystem::path>& files, const ScanOptions& options = {});

// Reads one run file; errors become an "unreadable" record.
RunRecord read_record(const std::filesystem::path& file, const ScanOptions& options);

}  // namespace genlab::analysis

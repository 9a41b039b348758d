// genlab-campaign: seeded campaigns (docs/RELIABILITY.md), each printing tries / crashes or
// hangs / unclear errors / data lost: specs (mutated experiment files -> validate and run
// --dry-run), idx (mutated IDX files -> load_data in a child), runfiles (bit-flipped or truncated
// run files -> show and analyze), and kill / faults (process_campaigns.cpp). It is not a
// coverage-guided fuzzer (fuzz/ holds the libFuzzer targets) and writes only its temporary folder.
#include <CLI/CLI.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "campaign_support.hpp"
#include "genlab/data.hpp"
#include "genlab/error.hpp"
#include "genlab/store.hpp"

namespace fs = std::filesystem;

namespace {

using namespace genlab::campaign;

// One mutation of a text: flip bytes, cut, duplicate or splice in a hostile token.
std::string mutate_text(std::string s, std::mt19937_64& rng) {
  static const std::vector<std::string> tokens = {
      "inf", "nan", "-1", "1e400", "9223372036854775807", "-9223372036854775808", "\"\"", "[", "]", "{", "}",
      "=", ".", "\"\\u0000\"", "[[grid.zip]]", "[grid.product]", "extends = \"/dev/zero\"", "extends = \".\"",
      "seeds = [1, 1]", "batch_size = 0", "\n[a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a]\n",
      "\"model.beta\" = [1.0, 2.0]", "1000000000", "0.0", "true", "1979-05-27T07:32:00Z"};
  const int n = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < n && !s.empty(); ++i) {
    const std::size_t at = rng() % s.size();
    switch (rng() % 5) {
      case 0: s[at] = static_cast<char>(s[at] ^ (1 << (rng() % 8))); break;
      case 1: s.erase(at, 1 + rng() % 16); break;
      case 2: s.insert(at, s.substr(at, 1 + rng() % 40)); break;
      default: s.insert(at, tokens[rng() % tokens.size()]); break;
    }
  }
  return s;
}

Tally specs_campaign(const std::string& cli, const fs::path& seeds_dir, const fs::path& work, int tries, std::mt19937_64& rng) {
  std::vector<std::string> seeds;
  for (const auto& e : fs::directory_iterator(seeds_dir)) {
    if (e.path().extension() == ".toml") seeds.push_back(read_bytes(e.path()));
  }
  Tally t;
  if (seeds.empty()) return t;
  const fs::path spec = work / "mutated.toml";
  for (int i = 0; i < tries; ++i) {
    write_bytes(spec, mutate_text(seeds[rng() % seeds.size()], rng));
    const std::string what = "spec try " + std::to_string(i);
    classify(t, run_limited({cli, "validate", spec.string()}, work / "log.txt", 30), "mutated.toml", what + " validate");
    classify(t, run_limited({cli, "run", spec.string(), "--dry-run"}, work / "log.txt", 30), "mutated.toml",
             what + " dry-run");
  }
  return t;
}

// IDX files: the decompressed bytes of a real file, mutated (header bytes favoured), gzipped again.
Tally idx_campaign(const fs::path& data, const fs::path& work, int tries, std::mt19937_64& rng) {
  const char* names[] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                         "t10k-labels-idx1-ubyte.gz"};
  Tally t;
  const fs::path folder = work / "idx";
  fs::create_directories(folder);
  for (const char* n : names) fs::copy_file(data / n, folder / n, fs::copy_options::overwrite_existing);
  const std::string target = "t10k-labels-idx1-ubyte.gz";  // small: 10,008 bytes decompressed
  std::string plain;
  {
    gzFile in = gzopen((data / target).c_str(), "rb");
    char buffer[65536];
    for (int got; (got = gzread(in, buffer, sizeof buffer)) > 0;) plain.append(buffer, static_cast<std::size_t>(got));
    gzclose(in);
  }
  {  // decode the unchanged files once here: each forked try re-reads only the mutated one (cached by size and mtime)
    genlab::DataOptions o;
    o.name = "fashion_mnist";
    o.path = folder;
    genlab::load_data(o, 0);
  }
  for (int i = 0; i < tries; ++i) {
    std::string b = plain;
    const int n = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < n; ++k) {
      const std::size_t at = rng() % 2 ? rng() % 8 : rng() % b.size();  // half of the flips hit the header
      b[at] = static_cast<char>(rng());
    }
    if (rng() % 4 == 0) b.resize(rng() % b.size());
    const bool gzip = rng() % 2 == 0;
    if (gzip) {
      gzFile out = gzopen((folder / target).c_str(), "wb");
      gzwrite(out, b.data(), static_cast<unsigned>(b.size()));
      gzclose(out);
    } else {
      write_bytes(folder / target, b);  // gzread reads plain files too
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::alarm(30);
      try {
        genlab::DataOptions o;
        o.name = "fashion_mnist";
        o.path = folder;
        genlab::load_data(o, 0);
        ::_exit(0);
      } catch (const genlab::DataError& e) {
        ::_exit(std::string(e.what()).find(target) != std::string::npos ? 4 : 6);
      } catch (...) {
        ::_exit(6);  // bad_alloc and the like: not a clear message
      }
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    Outcome o;
    o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    classify(t, o, "", "idx try " + std::to_string(i));
  }
  return t;
}

Tally runfiles_campaign(const std::string& cli, const fs::path& run_file, const fs::path& work, int tries,
                        std::mt19937_64& rng) {
  Tally t;
  const std::string original = read_bytes(run_file);
  const fs::path folder = work / "runs";
  fs::create_directories(folder);
  fs::copy_file(run_file, folder / "good.h5", fs::copy_options::overwrite_existing);
  const fs::path bad = folder / "mutated.h5";
  for (int i = 0; i < tries; ++i) {
    std::string b = original;
    if (rng() % 4 == 0) {
      b.resize(rng() % b.size());
    } else {
      for (int k = 0; k < 1 + static_cast<int>(rng() % 8); ++k) b[rng() % b.size()] ^= static_cast<char>(1 << (rng() % 8));
    }
    write_bytes(bad, b);
    const std::string what = "runfile try " + std::to_string(i);
    classify(t, run_limited({cli, "show", bad.string()}, work / "log.txt", 60), "mutated.h5", what + " show");
    const Outcome a = run_limited({cli, "analyze", "--runs", folder.string()}, work / "log.txt", 60);
    classify(t, a, "", what + " analyze");
    if (a.code == 0 && a.output.find("good") == std::string::npos) {  // the good run must still be listed
      ++t.lost;
      t.note(what + ": analyze lost the good run");
    }
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"genlab-campaign: seeded mutation campaigns against genlab's readers (docs/RELIABILITY.md)"};
  std::string which, cli, seeds_dir = "experiments", data = "/usr/share/datasets/fashion-mnist", run_file;
  int tries = 200;
  std::uint64_t seed = 1;
  ProcessOptions process;
  std::string fault_plugin;
  app.add_option("campaign", which, "specs, idx, runfiles, kill or faults")
      ->required()
      ->check(CLI::IsMember({"specs", "idx", "runfiles", "kill", "faults"}));
  app.add_option("--fault-plugin", fault_plugin, "faults: the fixture libgenlab_fault.so (default: the build's test_plugins/)");
  app.add_option("--kinds", process.kinds, "faults: full_disk, read_only, concurrent, crash, throw, sigterm, sigint2 (default: all)")
      ->delimiter(',');
  app.add_flag("--verbose", process.verbose, "kill, faults: a line per try");
  app.add_option("--genlab", cli, "the genlab binary (default: beside this one)");
  app.add_option("--tries", tries, "mutations to try")->capture_default_str();
  app.add_option("--seed", seed, "seed of the mutations")->capture_default_str();
  app.add_option("--specs", seeds_dir, "folder of experiment files to mutate (specs)")->capture_default_str();
  app.add_option("--data", data, "Fashion-MNIST folder (idx)")->capture_default_str();
  app.add_option("--run-file", run_file, "run file to mutate (runfiles)");
  CLI11_PARSE(app, argc, argv);
  const fs::path bin = fs::read_symlink("/proc/self/exe").parent_path();
  if (cli.empty()) cli = (bin / "genlab").string();
  const fs::path work = fs::temp_directory_path() / ("genlab-campaign-" + std::to_string(::getpid()));
  fs::create_directories(work);
  std::mt19937_64 rng(seed);
  Tally t;
  try {
    if (which == "specs") t = specs_campaign(cli, seeds_dir, work, tries, rng);
    if (which == "idx") t = idx_campaign(data, work, tries, rng);
    process.cli = cli;
    process.work = work;
    process.tries = tries;
    process.fault_plugin = fault_plugin.empty() ? bin.parent_path() / "test_plugins" / "libgenlab_fault.so" : fs::path(fault_plugin);
    if (which == "kill") t = kill_campaign(process, rng);
    if (which == "faults") t = faults_campaign(process, rng);
    if (which == "runfiles") {
      if (run_file.empty()) throw genlab::Error("runfiles: give --run-file (a run file to mutate)");
      t = runfiles_campaign(cli, run_file, work, tries, rng);
    }
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    fs::remove_all(work);
    return 2;
  }
  fs::remove_all(work);
  report(which, t);
  return t.crashes + t.unclear + t.lost == 0 ? 0 : 1;
}

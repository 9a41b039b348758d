// genlab-campaign kill and faults: real `genlab run` processes, interrupted or hampered at random
// (seeded) points, then re-run to the end and compared bit for bit with an uninterrupted run.
// kill: SIGKILL in a chosen phase (training, evaluation, checkpoint commit; the phase it landed
// in is read from evidence: a .tmp left behind, an evaluation begun but not reported). faults:
// full disk (RLIMIT_FSIZE: no mount needed), read-only folder, two concurrent writers, crashing
// and throwing plugins, SIGTERM, a double SIGINT. It does not mutate files (campaign.cpp does).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include "campaign_support.hpp"
#include "genlab/error.hpp"
#include "genlab/store.hpp"

namespace genlab::campaign {

namespace {

using Clock = std::chrono::steady_clock;

// A VAE on 512 Fashion-MNIST images: 48 steps, a checkpoint every 5, a heavy evaluation (IWAE)
// per epoch, so training, evaluation and commits all take a visible share of the run.
std::string vae_experiment(const fs::path& work, const std::string& name) {
  const fs::path file = work / (name + ".toml");
  write_bytes(file, "[experiment]\nname = \"" + name + "\"\noutput = \"" + work.string() +
                        "\"\nseeds = [0]\n[data]\nname = \"fashion_mnist\"\nlimit = 512\n[model]\nplugin = \"vae\"\n"
                        "hidden = [32]\nlatent_dim = 4\n[train]\nepochs = 3\nbatch_size = 32\n[eval]\nevery_epochs = 1\n"
                        "samples = 16\nheavy_metrics = \"every\"\niwae_k = 64\niwae_images = 64\n[run]\n"
                        "checkpoint_every_steps = 5\nlog_every_steps = 1\nthreads = 1\n");
  return file.string();
}

// The fault fixture on ring8: 40 steps of `sleep_ms` each, a checkpoint every 5.
std::string fault_experiment(const ProcessOptions& o, const std::string& name, const std::string& model) {
  const fs::path file = o.work / (name + ".toml");
  write_bytes(file, "[experiment]\nname = \"" + name + "\"\noutput = \"" + o.work.string() +
                        "\"\nseeds = [0]\n[data]\nname = \"ring8\"\nlimit = 256\n[model]\nplugin = \"fault\"\npath = \"" +
                        o.fault_plugin.string() + "\"\nsleep_ms = 15\n" + model +
                        "\n[train]\nsteps = 40\nbatch_size = 32\n[eval]\nevery_steps = 20\n[run]\n"
                        "checkpoint_every_steps = 5\nlog_every_steps = 1\nthreads = 1\n");
  return file.string();
}

std::vector<fs::path> files_with(const fs::path& folder, const std::string& suffix) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(folder, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(e.path());
    }
  }
  return out;
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// An evaluation was begun and not reported yet.
bool in_evaluation(const fs::path& log) {
  const std::string text = read_bytes(log);
  return count_of(text, "evaluating ") > count_of(text, "eval epoch ");
}

// Every run file in `folder` must be readable (in an isolated reader: a crash is a finding).
void check_readable(Tally& t, const fs::path& folder, const std::string& what) {
  for (const fs::path& f : files_with(folder, ".h5")) {
    try {
      read_run_isolated(f);
    } catch (const std::exception& e) {
      ++t.lost;
      t.note(what + ": " + e.what());
    }
  }
}

// The run of `exp` to its end (resuming), then bit for bit against the reference run file.
void finish_and_compare(Tally& t, const ProcessOptions& o, const std::string& exp, const fs::path& folder,
                        const fs::path& reference, const std::string& what) {
  const Outcome done = run_limited({o.cli, "run", exp, "--no-progress"}, o.work / "final.log", 600);
  if (done.code >= 128) {
    ++t.crashes;
    t.note(what + ": the re-run ended with " + std::to_string(done.code));
    return;
  }
  if (done.code != 0) {
    ++t.unclear;
    t.note(what + ": the re-run failed: " + done.output.substr(0, 300));
    return;
  }
  const std::vector<fs::path> files = files_with(folder, ".h5");
  const std::string diff = files.size() == 1 ? compare_run_files(reference, files[0]) : "not one run file";
  if (!diff.empty()) {
    ++t.lost;
    t.note(what + ": the resumed run differs from the uninterrupted one: " + diff);
  }
}

// The uninterrupted run of an experiment made by `make(name)`: its run file.
fs::path reference_run(const ProcessOptions& o, const std::string& exp, const fs::path& folder) {
  const Outcome r = run_limited({o.cli, "run", exp, "--no-progress"}, o.work / "reference.log", 600);
  const std::vector<fs::path> files = files_with(folder, ".h5");
  if (r.code != 0 || files.size() != 1) {
    throw Error("the uninterrupted reference run failed (exit " + std::to_string(r.code) + "): " + r.output.substr(0, 400));
  }
  return files[0];
}

enum Phase { Training = 0, Evaluation = 1, Commit = 2, Ended = 3 };
const char* phase_names[] = {"training", "evaluation", "checkpoint commit"};

// Waits for `phase` in the running `pid` (or a random moment of training), kills it with
// SIGKILL and returns the phase the kill landed in (from what it left behind), or Ended when
// the run ended first.
Phase kill_in(pid_t pid, Phase phase, const fs::path& folder, const fs::path& log, std::mt19937_64& rng) {
  const auto start = Clock::now();
  const double training_s = static_cast<double>(rng() % 400) / 1000.0;  // after the run file appears
  std::optional<Clock::time_point> file_seen;
  while (Clock::now() - start < std::chrono::seconds(120)) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return Ended;
    bool now = false;
    if (phase == Commit) now = !files_with(folder, ".h5.tmp").empty();
    if (phase == Evaluation) now = in_evaluation(log);
    if (phase == Training && !file_seen && !files_with(folder, ".h5").empty()) file_seen = Clock::now();
    if (phase == Training && file_seen) now = std::chrono::duration<double>(Clock::now() - *file_seen).count() > training_s;
    if (now) {
      std::this_thread::sleep_for(std::chrono::microseconds(phase == Commit ? rng() % 1500 : rng() % 40000));
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(phase == Commit ? 50 : 500));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return Ended;  // it ended on its own just before the kill
  if (!files_with(folder, ".h5.tmp").empty()) return Commit;
  return in_evaluation(log) ? Evaluation : Training;
}
}  // namespace

Tally kill_campaign(const ProcessOptions& o, std::mt19937_64& rng) {
  Tally t;
  const fs::path reference = reference_run(o, vae_experiment(o.work, "reference"), o.work / "reference");
  int landed[3] = {0, 0, 0};
  for (int episode = 0; t.tries < o.tries; ++episode) {
    const std::string name = "killed" + std::to_string(episode);
    const std::string exp = vae_experiment(o.work, name);
    const fs::path folder = o.work / name;
    const int kills = 1 + static_cast<int>(rng() % 4);  // kills of one run before it may finish
    for (int k = 0; k < kills && t.tries < o.tries; ++k) {
      const auto phase = static_cast<Phase>(rng() % 3);
      const fs::path log = o.work / "run.log";
      const pid_t pid = spawn({o.cli, "run", exp}, log, 600);
      const Phase hit = kill_in(pid, phase, folder, log, rng);
      if (o.verbose) std::cout << "  " << name << ": aimed at " << phase_names[phase] << ", landed in "
                               << (hit == Ended ? "nothing (the run ended)" : phase_names[hit]) << "\n";
      if (hit == Ended) break;  // finished before the kill: the episode ends
      ++t.tries;
      ++landed[hit];
      check_readable(t, folder, name + " after a kill in " + phase_names[hit]);
    }
    finish_and_compare(t, o, exp, folder, reference, name);
    fs::remove_all(folder);
  }
  std::cout << "kills landed in: training " << landed[Training] << ", evaluation " << landed[Evaluation]
            << ", checkpoint commit " << landed[Commit] << "\n";
  return t;
}

namespace {
// One fault try of kind `kind`; every kind ends with the run finished and compared where a run
// can be finished.
void fault_try(Tally& t, const ProcessOptions& o, const std::string& kind, int i, const fs::path& reference,
               std::mt19937_64& rng) {
  const std::string name = kind + std::to_string(i);
  const fs::path folder = o.work / name;
  const fs::path log = o.work / (name + ".log");
  const std::string what = "faults " + name;
  ++t.tries;
  auto must_not_crash = [&](const Outcome& r, const std::string& step) {
    if (o.verbose) std::cout << "  " << what << " " << step << ": exit " << r.code << "\n";
    if (r.code >= 128 && r.code != 128 + SIGTERM && r.code != 128 + SIGINT) {
      ++t.crashes;
      t.note(what + " " + step + ": exit " + std::to_string(r.code) + ": " + r.output.substr(0, 200));
      return false;
    }
    return true;
  };
  if (kind == "crash" || kind == "throw") {  // a grid of a failing cell and a good one
    const std::string exp = fault_experiment(o, name, std::string("fail_at_step = -1\nfailure = \"") +
                                                          (kind == "crash" ? (rng() % 2 ? "segv" : "abort") : "throw") +
                                                          "\"\n[grid.product]\n\"model.fail_at_step\" = [" +
                                                          std::to_string(rng() % 40) + ", -1]");
    const Outcome r = run_limited({o.cli, "run", exp, "--no-progress"}, log, 600);
    if (!must_not_crash(r, "grid")) return;
    if (r.output.find("2 runs: 1 finished, 0 already finished, 0 diverged, 0 interrupted, 1 failed") == std::string::npos) {
      ++t.unclear;
      t.note(what + ": the summary does not say 1 finished, 1 failed: " + r.output.substr(0, 300));
    }
    check_readable(t, folder, what);
    return;
  }
  const std::string exp = fault_experiment(o, name, "");
  if (kind == "full_disk") {  // every file write beyond a random size fails (as a full disk does)
    const rlim_t limit = 8000 + rng() % 160000;  // the run file ends at ~130 KB
    const Outcome r = run_limited({o.cli, "run", exp, "--no-progress"}, log, 600, [limit] {
      ::signal(SIGXFSZ, SIG_IGN);  // the write fails with EFBIG instead of killing the writer
      const rlimit l{limit, limit};
      ::setrlimit(RLIMIT_FSIZE, &l);
    });
    if (!must_not_crash(r, "full disk")) return;
    if (r.code != 0 && r.output.find(folder.string()) == std::string::npos) {
      ++t.unclear;
      t.note(what + ": the error does not name the file or folder: " + r.output.substr(0, 300));
    }
  } else if (kind == "read_only") {  // a partial run, then the folder read-only
    run_limited({o.cli, "run", exp, "--no-progress", "--set", "run.stop_after_steps=" + std::to_string(5 + rng() % 30)}, log, 600);
    fs::permissions(folder, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
    const bool root = ::geteuid() == 0;  // root ignores permissions: run as nobody
    const Outcome r = run_limited({o.cli, "run", exp, "--no-progress"}, log, 600, [root] {
      if (root && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(126);
    });
    fs::permissions(folder, fs::perms::owner_all, fs::perm_options::add);
    if (!must_not_crash(r, "read-only")) return;
    if (r.code == 0 || r.output.find(folder.string()) == std::string::npos) {
      ++t.unclear;
      t.note(what + ": a read-only folder gave exit " + std::to_string(r.code) + ": " + r.output.substr(0, 300));
    }
  } else if (kind == "concurrent") {  // two writers of one run, started up to 0.5 s apart
    const pid_t first = spawn({o.cli, "run", exp, "--no-progress"}, log, 600);
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 500));
    const fs::path log2 = o.work / (name + ".2.log");
    const Outcome second = run_limited({o.cli, "run", exp, "--no-progress"}, log2, 600);
    const Outcome r = wait_outcome(first, log);
    if (!must_not_crash(r, "first writer") || !must_not_crash(second, "second writer")) return;
    for (const Outcome* w : {&r, &second}) {
      if (w->code != 0 && w->output.find("is being written by") == std::string::npos) {
        ++t.unclear;
        t.note(what + ": a writer failed without naming the other: " + w->output.substr(0, 300));
      }
    }
  } else if (kind == "sigterm" || kind == "sigint2") {  // at a random moment of the run
    const pid_t pid = spawn({o.cli, "run", exp, "--no-progress"}, log, 600);
    const auto deadline = Clock::now() + std::chrono::seconds(60);  // once the run has begun (its file exists)
    while (files_with(folder, ".h5").empty() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 500));
    ::kill(pid, kind == "sigterm" ? SIGTERM : SIGINT);
    if (kind == "sigint2") {
      std::this_thread::sleep_for(std::chrono::milliseconds(1100 + rng() % 300));
      ::kill(pid, SIGINT);
    }
    const Outcome r = wait_outcome(pid, log);
    if (!must_not_crash(r, kind)) return;
    const bool stopped = r.code == 128 + (kind == "sigterm" ? SIGTERM : SIGINT);
    if (r.signaled && stopped && files_with(folder, ".h5").empty()) {  // before cmd_run installed its handlers
      if (o.verbose) std::cout << "  " << what << ": the signal came during start-up (default action, nothing written)\n";
      ++t.before_start;
      finish_and_compare(t, o, exp, folder, reference, what);
      return;
    }
    if (kind == "sigterm" && r.code != 0 && (!stopped || r.output.find("Resume with the same command: genlab run") == std::string::npos)) {
      ++t.unclear;
      t.note(what + ": SIGTERM gave exit " + std::to_string(r.code) + " without how to resume: " + r.output.substr(0, 300));
    }
    if (kind == "sigterm" && stopped) {
      for (const fs::path& f : files_with(folder, ".h5")) {
        std::string status;
        try {
          status = attr_to_string(read_run_isolated(f).attrs.at("status"));
        } catch (const std::exception&) {
        }
        if (status != "interrupted") {
          ++t.lost;
          t.note(what + ": after SIGTERM the run is '" + status + "', not interrupted");
        }
      }
    }
  }
  check_readable(t, folder, what);
  finish_and_compare(t, o, exp, folder, reference, what);
}
}  // namespace

Tally faults_campaign(const ProcessOptions& o, std::mt19937_64& rng) {
  const std::vector<std::string> all = {"full_disk", "read_only", "concurrent", "crash", "throw", "sigterm", "sigint2"};
  const std::vector<std::string> kinds = o.kinds.empty() ? all : o.kinds;
  for (const std::string& k : kinds) {
    if (std::find(all.begin(), all.end(), k) == all.end()) throw Error("faults: unknown kind '" + k + "'");
  }
  if (!fs::exists(o.fault_plugin)) {
    throw Error("faults: the fault plugin " + o.fault_plugin.string() +
                " does not exist (build the target genlab_test_fault, or give --fault-plugin)");
  }
  const fs::path reference = reference_run(o, fault_experiment(o, "reference", ""), o.work / "reference");
  Tally t;
  for (int i = 0; i < o.tries; ++i) fault_try(t, o, kinds[static_cast<std::size_t>(i) % kinds.size()], i, reference, rng);
  return t;
}

}  // namespace genlab::campaign

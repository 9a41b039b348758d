// `genlab diff A B` and `genlab verify RUN.h5`: argument meaning, output tables, exit codes.
// diff exits 0 (it reports, it does not judge); verify exits 0 only when every comparison
// reproduced the stored bits, 1 otherwise. Run ids are looked up as <id>.h5 under --in.
#include "trust_commands.hpp"

#include <filesystem>
#include <iostream>
#include <set>

#include "commands.hpp"
#include "genlab/error.hpp"
#include "genlab/portable.hpp"
#include "genlab/run_compare.hpp"
#include "genlab/store.hpp"
#include "genlab/table.hpp"
#include "genlab/verify.hpp"

namespace genlab::cli {

namespace fs = std::filesystem;

namespace {
// A run file path, or a run id (or a unique prefix of one) found as <id>.h5 below `folder`.
fs::path resolve_run(const std::string& arg, const fs::path& folder) {
  if (fs::is_regular_file(arg)) return arg;
  std::vector<fs::path> found;
  std::error_code ec;
  if (fs::is_directory(folder, ec)) {
    for (const auto& entry : fs::recursive_directory_iterator(folder, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".h5" && entry.path().stem().string().starts_with(arg)) {
        found.push_back(entry.path());
      }
    }
  }
  if (found.size() == 1) return found.front();
  if (found.empty()) throw ConfigError(arg + ": neither a run file nor a run id under " + folder.string() + " (--in)");
  std::string list;
  for (const fs::path& p : found) list += " " + p.string();
  throw ConfigError(arg + ": matches several run files under " + folder.string() + ":" + list);
}

std::string attr_or(const AttrMap& attrs, const std::string& key) {
  const auto it = attrs.find(key);
  return it == attrs.end() ? std::string() : attr_to_string(it->second);
}

std::string describe(const fs::path& file, const RunSummary& s) {
  const auto& steps = s.train.count("step") ? s.train.at("step") : std::vector<double>{};
  return file.string() + " (run " + attr_or(s.attrs, "run_id") + ", " + attr_or(s.attrs, "status") + ", " +
         std::to_string(steps.size()) + " train steps)";
}

std::string shown(const std::string& v) { return v.empty() ? "(absent)" : v; }

int cmd_diff(const fs::path& fa, const fs::path& fb) {
  // through the isolated reader, as show does: a file that crashes HDF5 is an error naming it
  const RunSummary a = read_run_isolated(fa), b = read_run_isolated(fb);
  std::cout << "A: " << describe(fa, a) << "\nB: " << describe(fb, b) << "\n\n";

  const auto config = config_differences(a.config_text, b.config_text, fa.string() + ":/config", fb.string() + ":/config");
  if (config.empty()) {
    std::cout << "config: identical\n";
  } else {
    Table t;
    t.header = {"config key", "A", "B"};
    for (const ValueDifference& d : config) t.rows.push_back({d.key, shown(d.a), shown(d.b)});
    std::cout << "config: " << config.size() << (config.size() == 1 ? " key differs" : " keys differ") << "\n" << t.render();
  }

  const auto provenance = provenance_differences(a.attrs, b.attrs);
  if (provenance.empty()) {
    std::cout << "\nprovenance: identical (plugin file, genlab commit, compiler, BLAS, threads, host)\n";
  } else {
    Table t;
    t.header = {"provenance", "A", "B", "what it can change"};
    for (const ValueDifference& d : provenance) t.rows.push_back({d.key, shown(d.a), shown(d.b), provenance_effect(d.key)});
    std::cout << "\nprovenance: " << provenance.size() << (provenance.size() == 1 ? " attribute differs\n" : " attributes differ\n") << t.render();
  }

  const auto ea = final_eval_values(a), eb = final_eval_values(b);
  std::set<std::string> names;
  for (const auto& [k, v] : ea) names.insert(k);
  for (const auto& [k, v] : eb) names.insert(k);
  if (!names.empty()) {
    Table t;
    t.header = {"final eval", "A", "B", "B - A"};
    for (const std::string& n : names) {
      const bool both = ea.count(n) && eb.count(n);
      t.rows.push_back({"eval/" + n, ea.count(n) ? format_number(ea.at(n), 7) : "—", eb.count(n) ? format_number(eb.at(n), 7) : "—",
                        both ? format_number(eb.at(n) - ea.at(n), 4) : ""});
    }
    std::cout << "\n" << t.render();
  }

  const std::size_t common = common_steps(a.train, b.train);
  if (const auto d = first_divergence(a.train, b.train)) {
    std::cout << "\ntrain series part ways at step " << d->step << ": train/" << d->metric << " A = "
              << (d->a ? exact_value(*d->a) : "(absent)") << ", B = " << (d->b ? exact_value(*d->b) : "(absent)");
    if (!d->others.empty()) std::cout << " (and " << d->others.size() << " more metrics at that step)";
    std::cout << "\n";
  } else {
    std::cout << "\ntrain series: identical bit for bit over the " << common << " steps both logged\n";
  }
  return kOk;
}

int cmd_verify(const fs::path& file, const VerifyOptions& o) {
  // Read once, isolated, so a file that crashes HDF5 is an error naming it. A portable run is
  // re-executed with the pinned OpenBLAS kernels, which only a new process can load.
  const RunSummary stored = read_run_isolated(file);
  if (attr_or(stored.attrs, "portable") == "true") reexec_portable();
  const VerifyReport r = verify_run(file, stored, o);
  std::cout << "verify " << file.string() << " (run " << r.run_id << ", " << r.status << ")\n";
  for (const std::string& line : r.lines()) std::cout << line << "\n";
  return r.reproduced() ? kOk : kRunsFailed;
}
}  // namespace

void TrustCommands::add(CLI::App& app) {
  diff_ = app.add_subcommand("diff", "compare two run files: config keys, provenance, final metrics, where the train series part ways");
  diff_->add_option("runs", diff_runs_, "two run files, or two run ids under --in")->required()->expected(2);
  diff_->add_option("--in", diff_in_, "folder searched for run ids")->capture_default_str();

  verify_ = app.add_subcommand("verify", "re-execute a run from its run file and compare the logged metrics bit for bit "
                                         "(exit 0 only when reproduced)");
  verify_->add_option("run_file", verify_file_, "run file (.h5)")->required()->check(CLI::ExistingFile);
  verify_->add_option("--steps", verify_steps_, "training steps to re-execute")->capture_default_str();
  verify_->add_flag("--eval", verify_eval_, "also reload the checkpoint and recompute its evaluation");
  verify_->add_option("--threads", verify_threads_, "run.threads of the re-execution (the bits must not depend on it)")
      ->capture_default_str();
  verify_->add_option("--scratch", verify_scratch_, "keep the re-executed run files in this folder (default: a temp folder, removed)");
}

std::optional<int> TrustCommands::run() const {
  if (diff_ && *diff_) return cmd_diff(resolve_run(diff_runs_.at(0), diff_in_), resolve_run(diff_runs_.at(1), diff_in_));
  if (verify_ && *verify_) {
    VerifyOptions o;
    o.steps = verify_steps_;
    o.eval = verify_eval_;
    o.threads = verify_threads_;
    o.scratch = verify_scratch_;
    return cmd_verify(verify_file_, o);
  }
  return std::nullopt;
}

}  // namespace genlab::cli

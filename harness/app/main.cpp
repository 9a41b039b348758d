// genlab: the command line. Parses subcommands with CLI11 and maps errors to exit codes;
// no logic of its own (see commands.cpp and libgenlab).
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "genlab/analysis/watch.hpp"
#include "plugin_commands.hpp"
#include "scale_commands.hpp"
#include "trust_commands.hpp"
#include "genlab/allocator.hpp"
#include "genlab/blas.hpp"
#include "genlab/error.hpp"
#include "genlab/version.hpp"

using namespace genlab::cli;

int main(int argc, char** argv) {
  genlab::blas::reexec_for_preferred_core(argv);  // before anything: OpenBLAS's kernel is chosen at load
  genlab::tune_allocator();
  CLI::App app{"genlab: a research harness for generative models"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("genlab ") + genlab::version() + " (" + genlab::git_commit() + ")");

  RunArgs run_args;
  auto* run = app.add_subcommand("run", "train every run of an experiment grid (skips finished runs, resumes unfinished ones)");
  run->add_option("experiment", run_args.experiment, "experiment TOML file")->required()->check(CLI::ExistingFile);
  run->add_option("--set", run_args.sets, "override a key: --set model.beta=2 (repeatable)");
  run->add_option("-j,--jobs", run_args.jobs, "run N grid cells at once, each in its own process")->check(CLI::PositiveNumber);
  run->add_flag("--dry-run", run_args.dry_run, "list the runs and their ids, train nothing");
  run->add_option("--only", run_args.only, "run only the run with this id");
  run->add_option("--shard", run_args.shard, "run only shard K of N (K/N, 0-based; default from SLURM_ARRAY_TASK_ID/COUNT)");
  run->add_flag("--no-progress", run_args.no_progress, "plain periodic lines instead of a progress bar");
  run->add_flag("--allow-changed-code", run_args.allow_changed_code,
                "resume runs whose plugin file or genlab commit changed since they started (recorded in the run file)");
  run->add_flag("--allow-changed-data", run_args.allow_changed_data,
                "train or resume runs whose data no longer matches their data.identity (recorded in the run file)");
  run->add_flag("--restart-unresumable", run_args.restart_unresumable,
                "start anew runs whose file or checkpoint is corrupt (the old file is kept as <file>.unresumable)");
  run->add_flag("--in-process", run_args.in_process,
                "run the cells in this process, not one child process each (debugging; a crash ends the grid)");
  ScaleCli scale(app, *run, run_args);  // cells, missing, submit; run --cell(s), --mpi

  std::string validate_file;
  std::vector<std::string> validate_sets;
  auto* validate = app.add_subcommand("validate", "check an experiment file and every run against its plugin, train nothing");
  validate->add_option("experiment", validate_file, "experiment TOML file")->required()->check(CLI::ExistingFile);
  validate->add_option("--set", validate_sets, "override a key (repeatable)");

  auto* plugins = app.add_subcommand("plugins", "list the plugins found and their hyper-parameters");

  std::string show_file;
  auto* show = app.add_subcommand("show", "summarise a run file: config, status, final metrics");
  show->add_option("run_file", show_file, "run file (.h5)")->required()->check(CLI::ExistingFile);

  genlab::analysis::AnalyzeOptions analyze_args;
  auto* analyze = app.add_subcommand("analyze", "tables (mean ± std over seeds), plots, image sheets and an HTML report from run files");
  analyze->add_option("results", analyze_args.inputs, "results folders or run files (default: results)");
  analyze->add_option("--by", analyze_args.by, "group by these axes, comma-separated (default: every axis that varies; 'none': one group)");
  analyze->add_option("--where", analyze_args.where, "keep runs with key=v1,v2 or key!=v (grid axis or run attribute; repeatable)")->allow_extra_args(false);
  analyze->add_option("--metric", analyze_args.metrics, "eval/<name> or train/<name> (repeatable, or comma-separated; default: every eval metric but val_*)")->allow_extra_args(false);
  analyze->add_option("--at", analyze_args.at, "which value of each run: final, best, min, max, epoch:N, step:N")->capture_default_str();
  analyze->add_option("--format", analyze_args.format, "table format: md, csv, latex")->capture_default_str();
  analyze->add_option("--experiment", analyze_args.experiment, "experiment TOML whose [reference] table holds paper numbers")->check(CLI::ExistingFile);
  analyze->add_flag("--runs", analyze_args.list_runs, "also list every run (with --format csv: the runs instead of the groups)");
  analyze->add_option("--curve", analyze_args.curves, "learning curves of this metric, PNG (repeatable)")->allow_extra_args(false);
  analyze->add_option("--x", analyze_args.x, "x axis of learning curves: epoch or step")->capture_default_str();
  analyze->add_option("--versus", analyze_args.versus, "plot each metric against this grid axis, PNG (repeatable)")->allow_extra_args(false);
  analyze->add_option("--sheet", analyze_args.sheets, "image sheet of this image name (samples, reconstructions...), PNG (repeatable)")->allow_extra_args(false);
  analyze->add_option("-o,--out", analyze_args.out_dir, "folder for PNG files (default: the report folder, else ./genlab-analysis)");
  analyze->add_option("--report", analyze_args.report_dir, "write a self-contained HTML report to DIR/index.html");
  analyze->add_option("--threads", analyze_args.threads, "reader processes (0 = 1; each file is read in an isolated process)");
  analyze->add_option("--ci", analyze_args.ci, "95% interval of the mean over seeds: t, bootstrap (percentile, fixed seed) or none")->capture_default_str();
  analyze->add_option("--baseline", analyze_args.baseline, "compare every cell with this one, e.g. model.beta=1 (Welch t-test, Holm-corrected; repeatable per axis)")->allow_extra_args(false);
  analyze->add_flag("--seeds-needed", analyze_args.seeds_needed, "seeds each baseline comparison needs for 80% power (normal approximation)");
  std::string watch_text;
  auto* watch = analyze->add_option("--watch", watch_text, "with --report: rewrite it as run files change, the page reloads itself every SECONDS (default 5)")->expected(0, 1);
  CalibrateArgs calibrate_args;
  auto* calibrate = app.add_subcommand("calibrate", "score train images and noisy test images against the test images "
                                                    "with a reference classifier (FID, precision/recall floor and scale)");
  calibrate->add_option("--classifier", calibrate_args.classifier, "reference classifier run file (.h5)")
      ->required()->check(CLI::ExistingFile);
  calibrate->add_option("--n", calibrate_args.n, "train images scored against the test images")->capture_default_str();
  calibrate->add_option("--sigma", calibrate_args.sigmas, "pixel noise levels added to the test images (repeatable)")
      ->capture_default_str();
  calibrate->add_option("--k", calibrate_args.k, "k of the precision/recall k-NN manifolds")->capture_default_str();
  calibrate->add_option("--data-path", calibrate_args.data_path, "folder of the Fashion-MNIST files")->capture_default_str();

  PluginCommands plugin_commands;  // test-plugin, new-plugin
  add_plugin_commands(app, plugin_commands);
  TrustCommands trust;  // verify, diff
  trust.add(app);

  CLI11_PARSE(app, argc, argv);
  try {
    const std::string self_exe = std::filesystem::read_symlink("/proc/self/exe").string();
    if (const auto rc = scale.dispatch(self_exe)) return *rc;
    if (int rc = kOk; run_plugin_commands(plugin_commands, rc)) return rc;
    if (const auto code = trust.run()) return *code;
    if (*run) return cmd_run(run_args, self_exe);
    if (*validate) return cmd_validate(validate_file, validate_sets);
    if (*plugins) return cmd_plugins();
    if (*show) return cmd_show(show_file);
    if (*analyze) {
      for (int i = 0; i < argc; ++i) analyze_args.command += (i ? " " : "") + std::string(argv[i]);
      if (watch->count()) analyze_args.watch_s = genlab::analysis::parse_watch_seconds(watch_text);
      return cmd_analyze(analyze_args);
    }
    if (*calibrate) return cmd_calibrate(calibrate_args);
  } catch (const genlab::ConfigError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kConfigError;
  } catch (const genlab::PluginError& e) {
    std::cerr << "plugin error: " << e.what() << "\n";
    return kPluginError;
  } catch (const genlab::DataError& e) {
    std::cerr << "data error: " << e.what() << "\n";
    return kDataError;
  } catch (const genlab::StoreError& e) {
    std::cerr << "store error: " << e.what() << "\n";
    return kStoreError;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kOtherError;
  }
  return kOk;
}

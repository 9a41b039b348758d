// genlab: the command line. Parses subcommands with CLI11 and maps errors to exit codes;
// no logic of its own (see commands.cpp and libgenlab).
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "genlab/error.hpp"

using namespace genlab::cli;

int main(int argc, char** argv) {
  CLI::App app{"genlab: a research harness for generative models"};
  app.require_subcommand(1);

  RunArgs run_args;
  auto* run = app.add_subcommand("run", "train every run of an experiment grid (skips finished runs, resumes unfinished ones)");
  run->add_option("experiment", run_args.experiment, "experiment TOML file")->required()->check(CLI::ExistingFile);
  run->add_option("--set", run_args.sets, "override a key: --set model.beta=2 (repeatable)");
  run->add_option("-j,--jobs", run_args.jobs, "run N grid cells at once, each in its own process")->check(CLI::PositiveNumber);
  run->add_flag("--dry-run", run_args.dry_run, "list the runs and their ids, train nothing");
  run->add_option("--only", run_args.only, "run only the run with this id");
  run->add_option("--shard", run_args.shard, "run only shard K of N (K/N, 0-based; default from SLURM_ARRAY_TASK_ID/COUNT)");
  run->add_flag("--no-progress", run_args.no_progress, "plain periodic lines instead of a progress bar");

  std::string validate_file;
  std::vector<std::string> validate_sets;
  auto* validate = app.add_subcommand("validate", "check an experiment file and every run against its plugin, train nothing");
  validate->add_option("experiment", validate_file, "experiment TOML file")->required()->check(CLI::ExistingFile);
  validate->add_option("--set", validate_sets, "override a key (repeatable)");

  auto* plugins = app.add_subcommand("plugins", "list the plugins found and their hyper-parameters");

  std::string show_file;
  auto* show = app.add_subcommand("show", "summarise a run file: config, status, final metrics");
  show->add_option("run_file", show_file, "run file (.h5)")->required()->check(CLI::ExistingFile);

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

  CLI11_PARSE(app, argc, argv);
  try {
    if (*run) return cmd_run(run_args, std::filesystem::read_symlink("/proc/self/exe").string());
    if (*validate) return cmd_validate(validate_file, validate_sets);
    if (*plugins) return cmd_plugins();
    if (*show) return cmd_show(show_file);
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

// Portable mode and data identity end to end: genlab started with OPENBLAS_CORETYPE=SkylakeX,
// Haswell and Zen gives the same bits for a portable run (its cell process gets Haswell), while a
// default run under SkylakeX and under Haswell differs and verify names blas_core as the cause;
// the run id covers the data's content (not its folder), and a changed data set is refused,
// named by verify and diff. Forcing SkylakeX needs an AVX-512 CPU: the test fails without one.
#include <doctest/doctest.h>

#include "genlab/data.hpp"
#include "genlab/store.hpp"
#include "support/run_helpers.hpp"

using namespace genlab;
using namespace genlab::testing;

namespace {
const std::string kSmoke = std::string(GENLAB_SOURCE_DIR) + "/experiments/smoke/vae.toml";
const fs::path kFashion = "/usr/share/datasets/fashion-mnist";

std::string out_flag(const fs::path& d) { return " --set 'experiment.output=\"" + d.string() + "\"'"; }
std::string data_flag(const fs::path& d) { return " --set 'data.path=\"" + d.string() + "\"'"; }

bool has_avx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd");
}

// Trains the smoke VAE with genlab started under OPENBLAS_CORETYPE=`core`; returns its run file.
fs::path train_under(const std::string& core, const fs::path& dir, const std::string& extra) {
  const auto r = run_command("OPENBLAS_CORETYPE=" + core + " " + std::string(GENLAB_CLI) + " run " + kSmoke +
                             out_flag(dir) + " --no-progress" + extra);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const fs::path file = only_h5(dir);
  REQUIRE(!file.empty());
  return file;
}

std::string attr(const fs::path& file, const std::string& key) {
  const RunSummary s = read_run(file);
  return s.attrs.count(key) ? attr_to_string(s.attrs.at(key)) : "";
}

// A Fashion-MNIST folder of links to the installed files; with `recompress`, t10k-labels is
// re-gzipped at another level: the same images and labels in other bytes, so another identity.
fs::path fashion_copy(const fs::path& dir, bool recompress) {
  fs::create_directories(dir);
  for (const char* f : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"}) {
    fs::create_symlink(kFashion / f, dir / f);
  }
  const fs::path labels = dir / "t10k-labels-idx1-ubyte.gz";
  if (recompress) {
    const auto r = run_command("zcat " + (kFashion / labels.filename()).string() + " | gzip -1 -n > " + labels.string());
    REQUIRE(r.exit_code == 0);
  } else {
    fs::create_symlink(kFashion / labels.filename(), labels);
  }
  return dir;
}

std::string dry_run_id(const std::string& extra) {
  const auto r = run_cli("run " + kSmoke + " --dry-run" + extra);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  return r.output;
}
}  // namespace

TEST_CASE("portable: OPENBLAS_CORETYPE=SkylakeX, Haswell and Zen give identical bits, default runs differ") {
  REQUIRE_MESSAGE(has_avx512(), "forcing OpenBLAS's SkylakeX kernels needs an AVX-512 CPU");
  TempDir dir("portable-cores");
  std::vector<fs::path> portable;
  for (const char* core : {"SkylakeX", "Haswell", "Zen"}) {
    CAPTURE(core);
    portable.push_back(train_under(core, dir / ("portable-" + std::string(core)), " --set run.portable=true"));
    CHECK(attr(portable.back(), "portable") == "true");
    CHECK(attr(portable.back(), "blas_core") == "Haswell");
  }
  CHECK(compare_runs(portable[0], portable[1]) == "");
  CHECK(compare_runs(portable[0], portable[2]) == "");

  const fs::path skx = train_under("SkylakeX", dir / "default-SkylakeX", "");
  const fs::path hsw = train_under("Haswell", dir / "default-Haswell", "");
  CHECK(attr(skx, "blas_core") == "SkylakeX");
  CHECK(attr(skx, "portable") == "false");
  CHECK(compare_runs(skx, hsw) != "");  // the run these tests use: SkylakeX and Haswell sgemm round differently
  CHECK(compare_runs(hsw, portable[1]) == "");  // portable = Haswell kernels; genlab's ISA choices agree on this CPU

  // verify of the SkylakeX run under Haswell: not reproduced, the kernel named as the likely cause
  const auto v = run_command("OPENBLAS_CORETYPE=Haswell " + std::string(GENLAB_CLI) + " verify " + skx.string() + " --steps 8");
  INFO(v.output);
  CHECK(v.exit_code == 1);
  CHECK(v.output.find("likely cause: blas_core (SkylakeX -> Haswell)") != std::string::npos);
  // verify of a portable run started under SkylakeX: re-executed with the pinned kernels, reproduced
  const auto p = run_command("OPENBLAS_CORETYPE=SkylakeX " + std::string(GENLAB_CLI) + " verify " + portable[0].string() +
                             " --steps 8");
  INFO(p.output);
  CHECK(p.exit_code == 0);
  CHECK(p.output.find("note: portable run: re-executed with OpenBLAS's Haswell kernels") != std::string::npos);
}

TEST_CASE("portable: --in-process in a process with other kernels or a glibc hwcaps mask is refused, naming the fix") {
  TempDir dir("portable-inprocess");
  const auto r = run_command("OPENBLAS_CORETYPE=Zen " + std::string(GENLAB_CLI) + " run " + kSmoke + out_flag(dir.path()) +
                             " --no-progress --in-process --set run.portable=true");
  INFO(r.output);
  CHECK(r.exit_code != 0);
  CHECK(r.output.find("needs OpenBLAS's Haswell kernels, but this process loaded the Zen ones") != std::string::npos);
  CHECK(r.output.find("run without --in-process") != std::string::npos);
  // the right kernel, but glibc told to pick other maths variants: refused too
  const auto t = run_command("GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2 OPENBLAS_CORETYPE=Haswell " + std::string(GENLAB_CLI) +
                             " run " + kSmoke + out_flag(dir.path()) + " --no-progress --in-process --set run.portable=true");
  INFO(t.output);
  CHECK(t.exit_code != 0);
  CHECK(t.output.find("GLIBC_TUNABLES sets glibc.cpu.hwcaps") != std::string::npos);
}

TEST_CASE("data identity: the run id covers the content of the data, not its folder, and synthetic sets their generator") {
  TempDir dir("data-identity");
  const std::string installed = dry_run_id("");
  const std::string linked = dry_run_id(data_flag(fashion_copy(dir / "linked", false)));
  const std::string other = dry_run_id(data_flag(fashion_copy(dir / "recompressed", true)));
  auto id_of = [](const std::string& listing) {
    const auto at = listing.find(".h5");
    REQUIRE(at != std::string::npos);
    return listing.substr(at - 12, 12);
  };
  CHECK(id_of(installed) == id_of(linked));
  CHECK(id_of(installed) != id_of(other));
  CHECK(data_identity("fashion_mnist", kFashion) == data_identity("fashion_mnist", dir / "linked"));
  CHECK(data_identity("fashion_mnist", kFashion) != data_identity("fashion_mnist", dir / "recompressed"));
  CHECK(data_identity("ring8", "/nonexistent") == data_identity("ring8", kFashion));
  CHECK(data_identity("ring8", kFashion) != data_identity("grid25", kFashion));
  CHECK(data_identity("fashion_mnist", kFashion).size() == 64);
  // a file rewritten in place (new modification time) is hashed again, not taken from the cache
  const fs::path changing = fashion_copy(dir / "changing", false);
  const std::string before = data_identity("fashion_mnist", changing);
  fs::remove(changing / "t10k-labels-idx1-ubyte.gz");
  REQUIRE(run_command("zcat " + (kFashion / "t10k-labels-idx1-ubyte.gz").string() + " | gzip -9 -n > " +
                      (changing / "t10k-labels-idx1-ubyte.gz").string()).exit_code == 0);
  CHECK(data_identity("fashion_mnist", changing) != before);
}

TEST_CASE("data identity: a run whose data changed is refused (--allow-changed-data trains, recorded), verify and diff name it") {
  TempDir dir("data-changed");
  const fs::path data = fashion_copy(dir / "data", false);
  const fs::path first = train_under("Haswell", dir / "a", data_flag(data) + " --set run.stop_after_steps=4");
  CHECK(attr(first, "data_path") == data.string());
  const std::string identity = data_identity("fashion_mnist", data);

  // the same folder, one file now in other bytes
  fs::remove(data / "t10k-labels-idx1-ubyte.gz");
  fashion_copy(dir / "tmp", true);
  fs::copy_file(dir / "tmp" / "t10k-labels-idx1-ubyte.gz", data / "t10k-labels-idx1-ubyte.gz");
  // without data.identity the run gets a new id (a new file beside the old one); pinned, it is refused
  const std::string pinned = data_flag(data) + " --set 'data.identity=\"" + identity + "\"' --no-progress";
  const auto refused = run_cli("run " + kSmoke + out_flag(dir / "a") + pinned);
  INFO(refused.output);
  CHECK(refused.exit_code != 0);
  CHECK(refused.output.find("its data changed (data.identity was " + identity) != std::string::npos);
  CHECK(refused.output.find("--allow-changed-data") != std::string::npos);
  const auto allowed = run_cli("run " + kSmoke + out_flag(dir / "a") + pinned + " --allow-changed-data");
  INFO(allowed.output);
  CHECK(allowed.exit_code == 0);
  CHECK(attr(first, "resumed_with_changed_data").find("data.identity was " + identity) != std::string::npos);

  const fs::path second = train_under("Haswell", dir / "b", data_flag(data) + " --set run.stop_after_steps=4");
  const auto d = run_cli("diff " + first.string() + " " + second.string());
  INFO(d.output);
  CHECK(d.output.find("data.identity") != std::string::npos);

  const auto v = run_command("OPENBLAS_CORETYPE=Haswell " + std::string(GENLAB_CLI) + " verify " + first.string() + " --steps 2");
  INFO(v.output);
  // named whether or not the bits agree (here the files' content is the same, their bytes are not)
  CHECK(v.output.find("note: the data changed: data.identity was " + identity) != std::string::npos);
}

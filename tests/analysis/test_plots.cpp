// analyze's plots and image sheets: curve points (seeds aligned on x, long series binned),
// learning-curve and versus PNGs of the requested size, sheets laid out from the latest image
// of each group (pixels checked at tile centres, labels drawn), the two-axis table layout, and
// the fallback without gnuplot (unlabelled sheet, plots skipped with a message, no crash).
#include <doctest/doctest.h>

#include <algorithm>

#include <cstdlib>
#include <sstream>

#include "fixtures.hpp"
#include "genlab/analysis/plots.hpp"
#include "genlab/analysis/sheets.hpp"
#include "genlab/analyze.hpp"
#include "genlab/error.hpp"
#include "genlab/image.hpp"

using namespace genlab;
using namespace genlab::analysis;
using namespace genlab::analysis::testing;

namespace {
synthetic::Image flat(std::size_t h, std::size_t w, std::vector<std::uint8_t> colour) {
  synthetic::Image img;
  img.shape = colour.size() == 3 ? std::vector<std::size_t>{h, w, 3} : std::vector<std::size_t>{h, w};
  for (std::size_t i = 0; i < h * w; ++i) img.pixels.insert(img.pixels.end(), colour.begin(), colour.end());
  return img;
}

// The beta grid, with images: the latest "samples" grid is white for beta=1, black for beta=2,
// red (RGB) for beta=4; earlier grids are mid-gray, so a sheet showing them would be wrong.
void write_grid_with_images(const fs::path& dir) {
  const std::vector<std::pair<std::string, std::vector<std::uint8_t>>> cells = {
      {"1.0", {255}}, {"2.0", {0}}, {"4.0", {255, 0, 0}}};
  int id = 0;
  for (const auto& [beta, colour] : cells) {
    for (int seed = 0; seed < 2; ++seed) {
      synthetic::Run r = beta_run("img" + std::to_string(id++), beta, seed, 100 + seed);
      const std::vector<std::uint8_t> gray(colour.size(), 128);
      r.images["samples"] = {flat(10, 12, gray), flat(10, 12, gray), flat(10, 12, colour)};
      synthetic::write_run(dir, r);
    }
  }
}

struct EnvGuard {  // sets an environment variable for one test, restores it after
  std::string name;
  std::optional<std::string> old;
  EnvGuard(const std::string& n, const std::string& value) : name(n) {
    if (const char* v = std::getenv(n.c_str())) old = v;
    ::setenv(n.c_str(), value.c_str(), 1);
  }
  ~EnvGuard() {
    if (old) {
      ::setenv(name.c_str(), old->c_str(), 1);
    } else {
      ::unsetenv(name.c_str());
    }
  }
};

std::size_t dark_pixels(const ImageGrid& img, std::size_t x0, std::size_t y0, std::size_t x1, std::size_t y1) {
  std::size_t n = 0;
  for (std::size_t y = y0; y < y1; ++y) {
    for (std::size_t x = x0; x < x1; ++x) n += img.pixels[(y * img.width + x) * img.channels] < 128;
  }
  return n;
}
}  // namespace

TEST_CASE("analyze: curve points align seeds on x, and long series are binned per run") {
  genlab::testing::TempDir dir("analyze-curve");
  synthetic::Run a = beta_run("a", "1.0", 0, 0);
  a.eval["neg_elbo"] = {10, 20, 30};
  synthetic::Run b = beta_run("b", "1.0", 1, 0, "running");
  b.eval_steps = {100, 200};
  b.eval["neg_elbo"] = {12, 22};
  b.eval["kl"] = {1, 2};
  a.train_steps.clear();
  a.train["loss"].clear();
  for (int s = 1; s <= 1000; ++s) {
    a.train_steps.push_back(s);
    a.train["loss"].push_back(s);
  }
  b.train_steps = a.train_steps;
  b.train["loss"] = a.train["loss"];
  synthetic::write_run(dir.path(), a);
  synthetic::write_run(dir.path(), b);
  ScanOptions options;
  options.train_columns = {"loss"};
  const auto runs = scan_runs(find_run_files({dir.path()}), options);
  const Analysis an = aggregate(runs, Query{});
  REQUIRE(an.groups.size() == 1);
  const auto curve = group_curve(an.groups[0], {"eval", "neg_elbo"}, "epoch");
  REQUIRE(curve.size() == 3);
  CHECK(curve[0].x == 1);
  CHECK(curve[0].mean == 11);
  CHECK(curve[0].std == doctest::Approx(std::sqrt(2.0)));
  CHECK(curve[0].n == 2);
  CHECK(curve[2].x == 3);
  CHECK(curve[2].mean == 30);
  CHECK(curve[2].n == 1);
  CHECK(curve[2].std == 0);
  const auto binned = group_curve(an.groups[0], {"train", "loss"}, "step", 10);
  REQUIRE(binned.size() == 10);
  CHECK(binned[0].mean == doctest::Approx(50.5));  // steps 1..100 of a y = step series
  CHECK(binned[0].x == doctest::Approx(50.5));
  CHECK(binned[9].mean == doctest::Approx(950.5));
}

TEST_CASE("analyze: learning-curve and versus plots are PNGs of the requested size") {
  const Gnuplot gp = Gnuplot::find();
  // CI installs gnuplot-nox (.ci/install-deps): without it this test fails, it does not pass untested.
  REQUIRE_MESSAGE(gp.available(), gp.missing_message());
  genlab::testing::TempDir dir("analyze-plot");
  write_beta_grid(dir.path());
  ScanOptions options;
  options.train_columns = {"loss"};
  const auto runs = scan_runs(find_run_files({dir.path()}), options);
  const Analysis a = aggregate(runs, Query{});
  plot_curves(gp, a, {"eval", "neg_elbo"}, "epoch", dir / "curve.png");
  ImageGrid png = read_png(dir / "curve.png");
  CHECK(png.width == 1000);
  CHECK(png.height == 600);
  plot_curves(gp, a, {"train", "loss"}, "step", dir / "loss.png", {640, 400});
  png = read_png(dir / "loss.png");
  CHECK(png.width == 640);
  CHECK(png.height == 400);
  plot_versus(gp, a, {"eval", "neg_elbo"}, "model.beta", dir / "versus.png");
  png = read_png(dir / "versus.png");
  CHECK(png.width == 900);
  CHECK(png.height == 560);
  CHECK(dark_pixels(png, 0, 0, png.width, png.height) > 1000);  // axes, labels and lines were drawn
  CHECK_THROWS_AS(plot_versus(gp, a, {"eval", "neg_elbo"}, "model.gamma", dir / "x.png"), ConfigError);
  CHECK_THROWS_AS(plot_curves(gp, a, {"eval", "nope"}, "epoch", dir / "x.png"), Error);
}

TEST_CASE("analyze: an image sheet shows the latest image of every group, labelled") {
  genlab::testing::TempDir dir("analyze-sheet");
  write_grid_with_images(dir.path());
  const auto runs = scan_runs(find_run_files({dir.path()}));
  const Analysis a = aggregate(runs, Query{});
  REQUIRE(a.groups.size() == 3);
  const Gnuplot gp = Gnuplot::find();
  const SheetResult r = write_sheet(gp, a, "samples", dir / "sheet.png");
  // Tiles of 10 x 12 scaled 8x -> 80 x 96 in cells of 160 x 80; 3 groups -> 2 columns, 2 rows.
  const std::size_t width = 2 * (160 + kSheetMargin) + kSheetMargin, height = 2 * (80 + kSheetBand + kSheetMargin) + kSheetMargin;
  CHECK(r.width == width);
  CHECK(r.height == height);
  CHECK(r.images == 3);
  CHECK(r.labels == std::vector<std::string>{"beta=1.0", "beta=2.0", "beta=4.0"});
  const ImageGrid png = read_png(dir / "sheet.png");
  REQUIRE(png.width == width);
  REQUIRE(png.height == height);
  REQUIRE(png.channels == 3);
  auto at = [&](std::size_t x, std::size_t y, std::size_t c) { return png.pixels[(y * png.width + x) * 3 + c]; };
  const std::size_t y_row0 = kSheetMargin + kSheetBand + 40, y_row1 = y_row0 + 80 + kSheetBand + kSheetMargin;
  const std::size_t x_col0 = kSheetMargin + 80, x_col1 = x_col0 + 160 + kSheetMargin;
  CHECK(at(x_col0, y_row0, 0) > 240);  // beta=1: white, its latest image
  CHECK(at(x_col1, y_row0, 0) < 15);   // beta=2: black
  CHECK(at(x_col0, y_row1, 0) > 240);  // beta=4: red
  CHECK(at(x_col0, y_row1, 1) < 15);
  CHECK_MESSAGE(gp.available(), gp.missing_message());  // labels need gnuplot, which CI installs
  CHECK(r.warning.empty());
  CHECK(dark_pixels(png, kSheetMargin, kSheetMargin, kSheetMargin + 160, kSheetMargin + kSheetBand) > 10);  // label text
  CHECK_THROWS_AS(write_sheet(gp, a, "reconstructions", dir / "none.png"), Error);
}

TEST_CASE("analyze: with two axes the sheet is a table, with a slot for a missing cell") {
  genlab::testing::TempDir dir("analyze-sheet2");
  int id = 0;
  for (const char* beta : {"1.0", "2.0"}) {
    for (const char* latent : {"2", "10"}) {
      if (std::string(beta) == "2.0" && std::string(latent) == "10") continue;  // never ran
      synthetic::Run r = beta_run("t" + std::to_string(id++), beta, 0, 100);
      r.grid["model.latent_dim"] = latent;
      r.images["samples"] = {flat(8, 8, {200})};
      synthetic::write_run(dir.path(), r);
    }
  }
  const auto runs = scan_runs(find_run_files({dir.path()}));
  const Analysis a = aggregate(runs, Query{});
  REQUIRE(a.axes.size() == 2);
  const SheetResult r = write_sheet(Gnuplot::find(), a, "samples", dir / "sheet.png");
  CHECK(r.labels == std::vector<std::string>{"beta=1.0 latent_dim=2", "beta=1.0 latent_dim=10", "beta=2.0 latent_dim=2",
                                             "beta=2.0 latent_dim=10"});
  CHECK(r.images == 3);
  const ImageGrid png = read_png(dir / "sheet.png");
  CHECK(png.width == 2 * (160 + kSheetMargin) + kSheetMargin);
  CHECK(png.height == 2 * (8 * 8 + kSheetBand + kSheetMargin) + kSheetMargin);
}

TEST_CASE("analyze: without gnuplot, plots are skipped with a clear message and sheets come unlabelled") {
  genlab::testing::TempDir dir("analyze-nognuplot");
  write_grid_with_images(dir / "results");
  EnvGuard no_gnuplot("GENLAB_GNUPLOT", (dir / "no-such-gnuplot").string());
  const Gnuplot gp = Gnuplot::find();
  CHECK_FALSE(gp.available());
  AnalyzeOptions o;
  o.inputs = {(dir / "results").string()};
  o.curves = {"eval/neg_elbo"};
  o.sheets = {"samples"};
  o.out_dir = (dir / "png").string();
  std::stringstream out, err;
  CHECK(run_analyze(o, out, err) == 0);
  CHECK(out.str().find("eval/neg_elbo") != std::string::npos);  // the table is still printed
  CHECK(err.str().find("gnuplot not found") != std::string::npos);
  CHECK(err.str().find("apt-get install gnuplot-nox") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "png" / "curve_eval_neg_elbo.png"));
  const ImageGrid sheet = read_png(dir / "png" / "sheet_samples.png");
  CHECK(sheet.width == 2 * (160 + kSheetMargin) + kSheetMargin);
}

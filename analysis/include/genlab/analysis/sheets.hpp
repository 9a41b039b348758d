// Image sheets: for one image name (samples, reconstructions...), the latest grid of one run
// of every group laid side by side in one PNG, each labelled by its grid coordinates, so an
// ablation can be judged by eye. With exactly two axes the sheet is a table (rows: first
// axis, columns: second). Tiles are copied (integer upscaling only); gnuplot draws the labels.
// Without gnuplot the sheet is written unlabelled and the result says so.
#pragma once
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "genlab/analysis/aggregate.hpp"
#include "genlab/analysis/gnuplot.hpp"
#include "genlab/image.hpp"

namespace genlab::analysis {

struct SheetTile {
  std::string label;    // "beta=0.5 latent_dim=2"
  std::string caption;  // "seed 0, step 4690" or "no image"
  std::optional<ImageGrid> image;
  std::string unreadable;  // "" or "<file>: why its image could not be read" (the tile stays empty)
};

struct SheetText {
  std::string text;
  double x = 0, y = 0;  // centre, in pixels from the top-left corner
  bool small = false;
};

struct SheetLayout {
  ImageGrid mosaic;  // RGB, white background, tiles copied in
  std::vector<SheetText> texts;
};

// Geometry (pixels): every cell is the largest tile times `scale`, plus a label band above.
inline constexpr std::size_t kSheetMargin = 12, kSheetBand = 34;

// Lays tiles out row-major in `cols` columns (a tile without an image is a light gray slot).
// Integer scale = max(1, min(8, 160 / largest tile side)).
SheetLayout layout_sheet(const std::vector<SheetTile>& tiles, std::size_t cols);

struct SheetResult {
  std::size_t width = 0, height = 0;
  std::size_t images = 0;          // groups with an image
  std::vector<std::string> labels; // tile labels in layout order
  std::string warning;             // "" or why labels are missing
};

// One tile per group: the latest /images/<name> grid of its first finished (else running) run
// by seed. Throws genlab::Error if no run of the analysis has that image.
SheetResult write_sheet(const Gnuplot& gp, const Analysis& a, const std::string& name,
                        const std::filesystem::path& png);

}  // namespace genlab::analysis

// Image sheets: picking one image grid per group, tiling them into an RGB mosaic (a copy with
// integer upscaling, no resampling), and labelling the tiles by drawing the mosaic 1:1 with
// gnuplot's rgbimage plus text labels. It does not change the stored images.
#include "genlab/analysis/sheets.hpp"

#include <algorithm>
#include <cmath>

#include "genlab/error.hpp"

namespace genlab::analysis {

namespace fs = std::filesystem;

SheetLayout layout_sheet(const std::vector<SheetTile>& tiles, std::size_t cols) {
  cols = std::max<std::size_t>(1, std::min(cols, std::max<std::size_t>(tiles.size(), 1)));
  const std::size_t rows = (tiles.size() + cols - 1) / cols;
  std::size_t tile_h = 1, tile_w = 1;
  for (const SheetTile& t : tiles) {
    if (t.image) tile_h = std::max(tile_h, t.image->height), tile_w = std::max(tile_w, t.image->width);
  }
  const std::size_t scale = std::clamp<std::size_t>(160 / std::max(tile_h, tile_w), 1, 8);
  const std::size_t cell_w = std::max<std::size_t>(tile_w * scale, 160), cell_h = tile_h * scale;
  SheetLayout out;
  ImageGrid& m = out.mosaic;
  m.channels = 3;
  m.width = cols * (cell_w + kSheetMargin) + kSheetMargin;
  m.height = rows * (cell_h + kSheetBand + kSheetMargin) + kSheetMargin;
  m.pixels.assign(m.width * m.height * 3, 255);
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    const std::size_t left = kSheetMargin + (i % cols) * (cell_w + kSheetMargin);
    const std::size_t top = kSheetMargin + (i / cols) * (cell_h + kSheetBand + kSheetMargin);
    const double centre = static_cast<double>(left) + static_cast<double>(cell_w) / 2;
    out.texts.push_back({tiles[i].label, centre, static_cast<double>(top) + 10, false});
    out.texts.push_back({tiles[i].caption, centre, static_cast<double>(top) + 25, true});
    const std::size_t img_top = top + kSheetBand;
    if (!tiles[i].image) {  // a light gray slot: no image for this group
      for (std::size_t y = img_top; y < img_top + cell_h; ++y) {
        std::fill_n(m.pixels.begin() + static_cast<std::ptrdiff_t>((y * m.width + left) * 3), cell_w * 3, 230);
      }
      continue;
    }
    const ImageGrid& img = *tiles[i].image;
    const std::size_t x0 = left + (cell_w - img.width * scale) / 2, y0 = img_top + (cell_h - img.height * scale) / 2;
    for (std::size_t y = 0; y < img.height * scale; ++y) {
      for (std::size_t x = 0; x < img.width * scale; ++x) {
        const std::size_t src = ((y / scale) * img.width + x / scale) * img.channels;
        std::uint8_t* dst = &m.pixels[((y0 + y) * m.width + x0 + x) * 3];
        for (std::size_t c = 0; c < 3; ++c) dst[c] = img.pixels[src + (img.channels == 3 ? c : 0)];
      }
    }
  }
  return out;
}

namespace {
// The run whose image stands for the group: finished before running, then by seed.
const RunRecord* representative(const Group& g, const std::string& name) {
  const RunRecord* best = nullptr;
  for (const RunRecord* r : g.runs) {
    const auto it = r->data.image_steps.find(name);
    if (!r->pooled() || it == r->data.image_steps.end() || it->second.empty()) continue;
    if (!best || (best->status != "finished" && r->status == "finished")) best = r;
  }
  return best;
}

SheetTile tile_of(const Analysis& a, const Group& g, const std::string& name) {
  SheetTile t;
  t.label = g.label(a.axes, true);
  t.caption = "no image";
  if (const RunRecord* r = representative(g, name)) {
    const auto& steps = r->data.image_steps.at(name);
    std::vector<std::size_t> shape;
    ImageGrid img;
    try {
      img.pixels = read_image_isolated(r->file, name, steps.size() - 1, &shape);  // a corrupt file: an error, not a crash
    } catch (const StoreError& e) {
      t.caption = "image unreadable";
      t.unreadable = e.what();
      return t;
    }
    img.height = shape.at(0);
    img.width = shape.at(1);
    img.channels = shape.size() > 2 ? shape[2] : 1;
    if (img.channels != 1 && img.channels != 3) {
      throw Error(r->file.string() + ": image '" + name + "' has " + std::to_string(img.channels) + " channels (1 or 3 expected)");
    }
    t.image = std::move(img);
    t.caption = "seed " + r->seed + ", step " + std::to_string(steps.back()) + (r->status == "running" ? " (running)" : "");
  }
  return t;
}

void write_raw(const fs::path& file, const std::vector<std::uint8_t>& bytes) {
  write_text(file, std::string(bytes.begin(), bytes.end()));
}
}  // namespace

namespace {
// Two axes and no attribute variants: a table, rows = first axis, columns = second axis, with a
// "no run" slot for a combination that has no group.
std::vector<SheetTile> table_tiles(const Analysis& a, const std::string& name, std::size_t& cols) {
  std::vector<std::string> row_values, col_values;
  auto add = [](std::vector<std::string>& vs, const std::string& v) {
    if (std::none_of(vs.begin(), vs.end(), [&](const std::string& s) { return same_value(s, v); })) vs.push_back(v);
  };
  for (const Group& g : a.groups) {
    add(row_values, g.coords[0]);
    add(col_values, g.coords[1]);
  }
  std::sort(row_values.begin(), row_values.end(), value_less);
  std::sort(col_values.begin(), col_values.end(), value_less);
  cols = col_values.size();
  std::vector<SheetTile> tiles(row_values.size() * cols);
  for (std::size_t r = 0; r < row_values.size(); ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      tiles[r * cols + c].label = short_key(a.axes[0], a.axes) + "=" + row_values[r] + " " +
                                  short_key(a.axes[1], a.axes) + "=" + col_values[c];
      tiles[r * cols + c].caption = "no run";
    }
  }
  auto index_of = [](const std::vector<std::string>& vs, const std::string& v) {
    return static_cast<std::size_t>(std::find_if(vs.begin(), vs.end(), [&](const std::string& s) { return same_value(s, v); }) - vs.begin());
  };
  for (const Group& g : a.groups) tiles[index_of(row_values, g.coords[0]) * cols + index_of(col_values, g.coords[1])] = tile_of(a, g, name);
  return tiles;
}

std::vector<SheetTile> tiles_for(const Analysis& a, const std::string& name, std::size_t& cols) {
  const bool table = a.axes.size() == 2 &&
                     std::all_of(a.groups.begin(), a.groups.end(), [](const Group& g) { return g.variant.empty(); });
  if (table) return table_tiles(a, name, cols);
  std::vector<SheetTile> tiles;
  for (const Group& g : a.groups) tiles.push_back(tile_of(a, g, name));
  cols = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(tiles.size()))));
  return tiles;
}

// gnuplot draws the mosaic 1:1 over the whole canvas (no margins, one data unit per pixel) and
// puts the labels on top.
std::string sheet_script(const Gnuplot& gp, const SheetLayout& layout, const fs::path& raw, const fs::path& png) {
  const std::size_t w = layout.mosaic.width, h = layout.mosaic.height;
  std::string script = gp.terminal_lines(static_cast<int>(w), static_cast<int>(h), png, 9) +
                       "set lmargin at screen 0\nset rmargin at screen 1\nset bmargin at screen 0\nset tmargin at screen 1\n"
                       "unset border\nunset xtics\nunset ytics\nunset key\nunset colorbox\n" +
                       "set xrange [-0.5:" + std::to_string(w) + "-0.5]\nset yrange [-0.5:" + std::to_string(h) + "-0.5]\n";
  for (const SheetText& t : layout.texts) {
    char at[96];
    std::snprintf(at, sizeof at, " at %.1f,%.1f center front", t.x, static_cast<double>(h) - 1 - t.y);
    script += "set label " + gp_string(t.text) + at + (t.small ? " font ',8' textcolor rgb '#555555'" : " font ',9'") + "\n";
  }
  return script + "plot " + gp_string(raw.string()) + " binary array=(" + std::to_string(w) + "," + std::to_string(h) +
         ") flipy format='%uchar%uchar%uchar' using 1:2:3 with rgbimage\n";
}
}  // namespace

SheetResult write_sheet(const Gnuplot& gp, const Analysis& a, const std::string& name, const fs::path& png) {
  std::size_t cols = 1;
  const std::vector<SheetTile> tiles = tiles_for(a, name, cols);
  SheetResult result;
  for (const SheetTile& t : tiles) {
    result.images += t.image.has_value();
    result.labels.push_back(t.label);
    if (!t.unreadable.empty()) result.warning += (result.warning.empty() ? "" : "; ") + ("skipped: " + t.unreadable);
  }
  if (result.images == 0) throw Error("no run has an image '" + name + "'");
  const SheetLayout layout = layout_sheet(tiles, cols);
  result.width = layout.mosaic.width;
  result.height = layout.mosaic.height;
  if (!gp.available()) {
    write_png(png, layout.mosaic);
    result.warning += (result.warning.empty() ? "" : "; ") + gp.missing_message() + " (sheet " + png.string() + " written without labels)";
    return result;
  }
  ScratchDir scratch;
  write_raw(scratch.path() / "mosaic.rgb", layout.mosaic.pixels);
  write_text(scratch.path() / "sheet.gp", sheet_script(gp, layout, scratch.path() / "mosaic.rgb", png));
  gp.run(scratch.path() / "sheet.gp", png);
  return result;
}

}  // namespace genlab::analysis

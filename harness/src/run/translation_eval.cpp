// Translation metrics with their cards, per-domain discriminator accuracy, translation grids
// and the classifier's label preservation and FID of translations (translation_eval.hpp).
// Everything is computed on the test split's images in order: no random stream is drawn.
#include "run/translation_eval.hpp"

#include <algorithm>

#include "genlab/error.hpp"
#include "genlab/gan_metrics.hpp"
#include "genlab/image.hpp"
#include "genlab/loader.hpp"

namespace genlab {

namespace {
const char* kZhu = "Zhu, Park, Isola, Efros. Unpaired image-to-image translation using cycle-consistent adversarial networks. ICCV 2017";
constexpr std::size_t kGridImages = 8;

AttrMap card(std::string definition, std::string unit, std::string better, std::size_t n) {
  return {{"definition", std::move(definition)}, {"unit", std::move(unit)}, {"better", std::move(better)},
          {"paper", std::string(kZhu)}, {"split", std::string("test")}, {"n", static_cast<std::int64_t>(n)}};
}

void put(EvalOutput& out, const std::string& key, double value, AttrMap a) {
  out.metrics[key] = value;
  out.attrs[key] = std::move(a);
}

// Rows [0, n) of x: (N, D)
Tensor<float> head(const Tensor<float>& x, std::size_t n) {
  const std::size_t dim = x.shape()[1];
  Tensor<float> out = Tensor<float>::from_shape({n, dim});
  std::copy(x.data(), x.data() + n * dim, out.data());
  return out;
}

// The decision scores of domain A's (b_side = false) or B's discriminator on x: (N, D) -> (N):
// a two-domain batch with x on both sides, the chosen half kept (model.hpp's convention).
std::vector<float> domain_scores(Model& model, const ModelDescription& d, const Tensor<float>& x, bool b_side,
                                 std::size_t batch) {
  const std::size_t n = x.shape()[0];
  std::vector<float> out;
  for (std::size_t begin = 0; begin < n; begin += batch) {
    const std::size_t end = std::min(n, begin + batch), m = end - begin;
    Batch b;
    b.x = Tensor<float>::from_shape({m, x.shape()[1]});
    std::copy(x.data() + begin * x.shape()[1], x.data() + end * x.shape()[1], b.x.data());
    b.x_b = b.x;
    const Tensor<float> s = call_plugin(d.name, [&] { return model.discriminate(b); });
    if (s.size() != 2 * m) {
      throw PluginError("plugin '" + d.name + "' translates and discriminates, but discriminate() on a two-domain batch of " +
                        std::to_string(m) + " + " + std::to_string(m) + " images returned shape " +
                        shape_str(shape_of(s)) + ", expected (" + std::to_string(2 * m) + ",) (model.hpp)");
    }
    out.insert(out.end(), s.data() + (b_side ? m : 0), s.data() + (b_side ? 2 * m : m));
  }
  return out;
}

void add_domain_accuracy(Model& model, const ModelDescription& d, const Dataset& split, const TranslationScores& t,
                         std::size_t batch, EvalOutput& out) {
  for (const bool b_side : {false, true}) {
    const std::string dom = b_side ? "b" : "a", D = b_side ? "D_B" : "D_A";
    const Tensor<float>& real = b_side ? split.x_b : split.x;
    const Tensor<float>& fake = b_side ? t.ab : t.ba;  // G(a) is a fake B, F(b) a fake A
    const DiscriminatorAccuracy a =
        discriminator_accuracy(domain_scores(model, d, real, b_side, batch), domain_scores(model, d, fake, b_side, batch));
    const std::string side = D + "'s decision score (> 0 = real; ties 1/2)";
    put(out, "d_acc_" + dom, a.balanced,
        card("(d_acc_" + dom + "_real + d_acc_" + dom + "_fake) / 2; 0.5 for a constant discriminator", "fraction",
             "none (0.5 at equilibrium)", real.shape()[0]));
    put(out, "d_acc_" + dom + "_real", a.real,
        card("fraction of the real test images of domain " + dom + " with " + side + " > 0", "fraction", "none",
             real.shape()[0]));
    put(out, "d_acc_" + dom + "_fake", a.fake,
        card("fraction of the translations into domain " + dom + " (" + (b_side ? "G(a)" : "F(b)") + ") with " + side +
                 " < 0", "fraction", "none", fake.shape()[0]));
  }
}

// Rows of kGridImages: input, translation, cycle reconstruction[, ground truth].
ImageGrid translation_grid(const Tensor<float>& input, const Tensor<float>& translated, const Tensor<float>& cycled,
                           const Tensor<float>* truth, const Shape& shape) {
  const std::size_t n = std::min(kGridImages, input.shape()[0]), dim = input.shape()[1];
  std::vector<const Tensor<float>*> rows{&input, &translated, &cycled};
  if (truth) rows.push_back(truth);
  Tensor<float> all = Tensor<float>::from_shape({rows.size() * n, dim});
  for (std::size_t r = 0; r < rows.size(); ++r) std::copy(rows[r]->data(), rows[r]->data() + n * dim, all.data() + r * n * dim);
  return make_image_grid(all, shape, n);
}
}  // namespace

void add_translation_metrics(Model& model, const ModelDescription& d, const Dataset& split, const DataInfo& info,
                             const EvalSettings& s, EvalOutput& out) {
  if (!(d.capabilities & kTranslates) || !split.two_domain() || split.x.shape()[0] == 0) return;
  const TranslationScores t = translation_scores(model, d, split, s.batch_size);
  const std::string px = "per pixel, images in [0, 1]";
  put(out, "cycle_l1_ab", t.cycle_l1_ab, card("mean |F(G(a)) - a| " + px + " over the test images of A", "pixel", "lower", t.n_a));
  put(out, "cycle_l1_ba", t.cycle_l1_ba, card("mean |G(F(b)) - b| " + px + " over the test images of B", "pixel", "lower", t.n_b));
  if (t.truth_ab) {
    put(out, "gt_mse_ab", t.gt_mse_ab, card("mean (G(a) - T(a))^2 " + px + ", T the data set's known map", "pixel^2", "lower", t.n_a));
    put(out, "gt_l1_ab", t.gt_l1_ab, card("mean |G(a) - T(a)| " + px, "pixel", "lower", t.n_a));
    put(out, "identity_mse_ab", t.identity_mse_ab, card("baseline: gt_mse_ab of the identity map, mean (a - T(a))^2 " + px, "pixel^2", "lower", t.n_a));
    put(out, "identity_l1_ab", t.identity_l1_ab, card("baseline: gt_l1_ab of the identity map, mean |a - T(a)| " + px, "pixel", "lower", t.n_a));
  }
  if (t.truth_ba) {
    put(out, "gt_mse_ba", t.gt_mse_ba, card("mean (F(b) - T^-1(b))^2 " + px, "pixel^2", "lower", t.n_b));
    put(out, "gt_l1_ba", t.gt_l1_ba, card("mean |F(b) - T^-1(b)| " + px, "pixel", "lower", t.n_b));
    put(out, "identity_mse_ba", t.identity_mse_ba, card("baseline: gt_mse_ba of the identity map, mean (b - T^-1(b))^2 " + px, "pixel^2", "lower", t.n_b));
    put(out, "identity_l1_ba", t.identity_l1_ba, card("baseline: gt_l1_ba of the identity map, mean |b - T^-1(b)| " + px, "pixel", "lower", t.n_b));
  }
  if (d.capabilities & kDiscriminates) add_domain_accuracy(model, d, split, t, s.batch_size, out);
  if (s.samples == 0 || info.sample_shape.size() != 3) return;
  const std::size_t na = std::min(kGridImages, t.n_a), nb = std::min(kGridImages, t.n_b);
  const Tensor<float> truth_ab = head(split.x_b, na), truth_ba = head(split.x, nb);
  out.images.emplace_back("translations_ab", translation_grid(split.x, t.ab, t.aba, t.truth_ab ? &truth_ab : nullptr, info.sample_shape));
  out.images.emplace_back("translations_ba", translation_grid(split.x_b, t.ba, t.bab, t.truth_ba ? &truth_ba : nullptr, info.sample_shape));
}

namespace {
ReferenceClassifier load_fashion_classifier(const EvalSpec& eval, const std::filesystem::path& data_path) {
  require_classifier_file(eval.classifier);
  ReferenceClassifier c = ReferenceClassifier::load(eval.classifier, data_path);
  if (c.data().name != "fashion_mnist") {
    throw ConfigError("eval.classifier: the translation metrics need a classifier trained on fashion_mnist (the images "
                      "the two-domain sets are built from), but " + eval.classifier + " was trained on '" +
                      c.data().name + "'");
  }
  return c;
}

double accuracy(const std::vector<std::int32_t>& predicted, const std::vector<std::int32_t>& want) {
  std::size_t correct = 0;
  for (std::size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == want[i] ? 1 : 0;
  return predicted.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(predicted.size());
}
}  // namespace

TranslationQuality::TranslationQuality(const EvalSpec& eval, const std::filesystem::path& data_path)
    : eval_(eval), classifier_(load_fashion_classifier(eval, data_path)) {}

void TranslationQuality::add(Model& model, const ModelDescription& d, const Dataset& test, Metrics& metrics,
                             std::map<std::string, AttrMap>& attrs) {
  if (!(d.capabilities & kTranslates) || !test.two_domain()) return;
  TranslationScores t;
  {
    NoGradGuard no_grad;
    model.set_training(false);
    t = translation_scores(model, d, test, eval_.batch_size);
    model.set_training(true);
  }
  const AttrMap common{{"split", std::string("test")},
                       {"paper", std::string(kZhu)},
                       {"classifier", classifier_.file().string()},
                       {"classifier_sha256", classifier_.sha256()},
                       {"classifier_id", classifier_.id()}};
  auto put_metric = [&](const std::string& key, double v, const std::string& definition, const std::string& unit,
                        const std::string& better, std::size_t n) {
    metrics[key] = v;
    AttrMap a = common;
    a["definition"] = definition;
    a["unit"] = unit;
    a["better"] = better;
    a["n"] = static_cast<std::int64_t>(n);
    attrs[key] = std::move(a);
  };
  const bool classes = test.class_a >= 0;
  // Direction B->A (and A->B for fashion_classes): translations into a Fashion-MNIST domain
  struct Way {
    std::string suffix, from, to;
    const Tensor<float>* translated;
    std::vector<std::int32_t> want;
    const Tensor<float>* real;
    const std::vector<std::int32_t>* real_labels;
  };
  std::vector<Way> ways;
  ways.push_back({"ba", "b", "a", &t.ba, classes ? std::vector<std::int32_t>(t.n_b, test.class_a) : test.y_b, &test.x, &test.y});
  if (classes) ways.push_back({"ab", "a", "b", &t.ab, std::vector<std::int32_t>(t.n_a, test.class_b), &test.x_b, &test.y_b});
  for (const Way& w : ways) {
    const std::string into = w.suffix == "ba" ? "F(b)" : "G(a)";
    const std::string target = classes ? "class " + std::to_string(w.suffix == "ba" ? test.class_a : test.class_b) +
                                             " (the class of domain " + w.to + ")"
                                       : "the class of its input " + w.from;
    put_metric("label_acc_" + w.suffix, accuracy(classifier_.predict(*w.translated, eval_.batch_size), w.want),
               "reference classifier's accuracy on the translations " + into + " of the test images of domain " +
                   w.from + " against " + target,
               "fraction", "higher", w.translated->shape()[0]);
    put_metric("label_acc_real_" + w.to, accuracy(classifier_.predict(*w.real, eval_.batch_size), *w.real_labels),
               "baseline: the reference classifier's accuracy on the real test images of domain " + w.to +
                   " against their labels",
               "fraction", "higher", w.real->shape()[0]);
    const FeatureStats fake = feature_stats(classifier_.features(*w.translated, eval_.batch_size));
    const FeatureStats real = feature_stats(classifier_.features(*w.real, eval_.batch_size));
    put_metric("fid_" + w.suffix, frechet_distance(fake, real),
               "Frechet distance between Gaussians fitted to the reference classifier's penultimate features of the "
               "translations " + into + " and of the real test images of domain " + w.to,
               "feature units^2", "lower", w.translated->shape()[0]);
  }
}

}  // namespace genlab

// Sampling and scoring for the adversarial metrics, with their metric cards. Every draw comes
// from a stream derived from (seed, "eval/<step>/..."), so evaluation never changes training.
#include "run/adversarial_eval.hpp"

#include <algorithm>
#include <cmath>

#include "genlab/error.hpp"
#include "genlab/gan_metrics.hpp"
#include "genlab/loader.hpp"
#include "run/draw_samples.hpp"
#include "run/scatter_image.hpp"

namespace genlab {

namespace {
constexpr std::size_t kModeSamples = 2500;     // PacGAN / VEEGAN protocol
constexpr std::size_t kParzenCentres = 10000;  // Goodfellow et al. 2014

const char* kPacGan = "Lin, Khetan, Fanti, Oh. PacGAN: The power of two samples in generative adversarial networks. NeurIPS 2018";
const char* kGoodfellow = "Goodfellow et al. Generative adversarial nets. NeurIPS 2014 (Parzen protocol of Breuleux et al. 2011)";

AttrMap card(std::string definition, std::string unit, std::string better, std::string paper, std::string split,
             std::size_t n) {
  return {{"definition", std::move(definition)}, {"unit", std::move(unit)}, {"better", std::move(better)},
          {"paper", std::move(paper)}, {"split", std::move(split)}, {"n", static_cast<std::int64_t>(n)}};
}

// The model's decision scores on x: (N, dim), in batches -> (N).
std::vector<float> scores_of(Model& model, const ModelDescription& d, const Tensor<float>& x, std::size_t batch) {
  const std::size_t n = x.shape()[0], dim = x.shape()[1];
  std::vector<float> out;
  out.reserve(n);
  for (std::size_t begin = 0; begin < n; begin += batch) {
    const std::size_t end = std::min(n, begin + batch);
    Batch b;
    b.x = Tensor<float>::from_shape({end - begin, dim});
    std::copy(x.data() + begin * dim, x.data() + end * dim, b.x.data());
    const Tensor<float> s = call_plugin(d.name, [&] { return model.discriminate(b); });
    if (s.size() != end - begin) {
      throw PluginError("plugin '" + d.name + "': discriminate() on " + std::to_string(end - begin) +
                        " examples returned shape " + shape_str(shape_of(s)));
    }
    out.insert(out.end(), s.data(), s.data() + s.size());
  }
  return out;
}

// The first min(n, rows) rows of x.
Tensor<float> head_rows(const Tensor<float>& x, std::size_t n) {
  n = std::min(n, x.shape()[0]);
  const std::size_t dim = x.shape()[1];
  Tensor<float> out = Tensor<float>::from_shape({n, dim});
  std::copy(x.data(), x.data() + n * dim, out.data());
  return out;
}
}  // namespace

void add_discriminator_metrics(Model& model, const ModelDescription& d, const Dataset& split, const DataInfo& info,
                               const EvalSettings& s, EvalOutput& out) {
  const std::size_t n = split.x.shape()[0];
  if (n == 0) return;
  Rng rng(s.seed, "eval/" + std::to_string(s.step) + "/d_acc/" + s.split_name);
  std::vector<std::int32_t> labels;
  const Tensor<float> fake = draw_samples(model, d, info, n, s.batch_size, rng, labels);
  const DiscriminatorAccuracy a = discriminator_accuracy(scores_of(model, d, split.x, s.batch_size),
                                                         scores_of(model, d, fake, s.batch_size));
  const std::string side = "decision score discriminate(x) (> 0 = real; logit for minimax/non_saturating)";
  out.metrics["d_acc_real"] = a.real;
  out.attrs["d_acc_real"] = card("fraction of the split's real examples the discriminator calls real (" + side +
                                     " > 0, ties 1/2)", "fraction", "none (0.5 at equilibrium)", kGoodfellow,
                                 s.split_name, n);
  out.metrics["d_acc_fake"] = a.fake;
  out.attrs["d_acc_fake"] = card("fraction of n fresh samples the discriminator calls fake (score < 0, ties 1/2)",
                                 "fraction", "none (0.5 at equilibrium)", kGoodfellow, "samples", n);
  out.metrics["d_acc"] = a.balanced;
  out.attrs["d_acc"] = card("(d_acc_real + d_acc_fake) / 2; exactly 0.5 for a constant discriminator", "fraction",
                            "none (0.5 at equilibrium)", kGoodfellow, s.split_name, n);
  out.metrics["d_score_real"] = a.real_score;
  out.attrs["d_score_real"] = card("mean " + side + " on the split's real examples", "score", "none", kGoodfellow,
                                   s.split_name, n);
  out.metrics["d_score_fake"] = a.fake_score;
  out.attrs["d_score_fake"] = card("mean " + side + " on n fresh samples", "score", "none", kGoodfellow, "samples", n);
}

void add_mode_metrics(Model& model, const ModelDescription& d, const DataInfo& info, const EvalSettings& s,
                      EvalOutput& out) {
  const std::optional<Mixture2d> mixture = find_mixture(info.name);
  if (!mixture) return;
  Rng rng(s.seed, "eval/" + std::to_string(s.step) + "/modes");
  std::vector<std::int32_t> labels;
  const Tensor<float> x = draw_samples(model, d, info, kModeSamples, s.batch_size, rng, labels);  // (2500, 2)
  const ModeCoverage m = mode_coverage(x, *mixture);
  const std::string k = std::to_string(mixture->means.size());
  out.metrics["modes"] = static_cast<double>(m.modes);
  out.attrs["modes"] = card("mixture means (of " + k + ") with at least one high-quality sample: Euclidean distance to "
                            "the nearest mean < 3 standard deviations of the mixture", "modes", "higher", kPacGan,
                            "samples", m.n);
  out.metrics["high_quality"] = m.high_quality;
  out.attrs["high_quality"] = card("fraction of the n samples within 3 standard deviations of their nearest mean",
                                   "fraction", "higher", kPacGan, "samples", m.n);
  out.metrics["reverse_kl"] = m.reverse_kl;
  out.attrs["reverse_kl"] = card("KL(p || uniform over the " + k + " modes), p = histogram of the high-quality samples "
                                 "over their nearest modes; log " + k + " when there is none", "nats", "lower", kPacGan,
                                 "samples", m.n);
  if (s.samples > 0) out.images.emplace_back("scatter", scatter_image(x, *mixture));
}

void add_parzen_metrics(Model& model, const ModelDescription& d, const DataSplits& data, const DataInfo& info,
                        std::uint64_t seed, std::int64_t step, EvalOutput& out) {
  if (data.validation.x.shape()[0] == 0 || data.test.x.shape()[0] == 0) return;
  Rng rng(seed, "eval/" + std::to_string(step) + "/parzen");
  std::vector<std::int32_t> labels;
  const Tensor<float> samples = draw_samples(model, d, info, kParzenCentres, 500, rng, labels);
  const std::vector<double> sigmas = parzen_sigma_grid();
  const ParzenResult r = parzen_select_and_evaluate(samples, data.validation.x, data.test.x, sigmas);
  const Tensor<float> train = head_rows(data.train.x, kParzenCentres);
  const ParzenResult base = parzen_select_and_evaluate(train, data.validation.x, data.test.x, sigmas);
  const std::size_t n_test = data.test.x.shape()[0];
  const std::string how = "sigma chosen from 10^(k/8), k = -24..8, by the mean log-likelihood of the " +
                          std::to_string(data.validation.x.shape()[0]) + " validation examples";
  auto put = [&](const std::string& key, double value, AttrMap a) {
    out.metrics[key] = value;
    out.attrs[key] = std::move(a);
  };
  put("parzen_ll", r.test_ll,
      card("mean log-likelihood of the test examples under an isotropic Gaussian Parzen window on " +
               std::to_string(kParzenCentres) + " samples (data space; images in [0, 1]); " + how,
           "nats per example", "higher", kGoodfellow, "test", n_test));
  put("parzen_sigma", r.sigma, card("Parzen bandwidth of parzen_ll; " + how, "data units", "none", kGoodfellow,
                                    "validation", data.validation.x.shape()[0]));
  put("parzen_ll_train", base.test_ll,
      card("baseline: parzen_ll with the first " + std::to_string(train.shape()[0]) +
               " training examples as the centres instead of samples; " + how,
           "nats per example", "higher", kGoodfellow, "test", n_test));
  put("parzen_sigma_train", base.sigma, card("Parzen bandwidth of parzen_ll_train; " + how, "data units", "none",
                                             kGoodfellow, "validation", data.validation.x.shape()[0]));
}

}  // namespace genlab

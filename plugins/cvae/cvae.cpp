// Plugin "cvae": the conditional VAE (Sohn et al. 2015, with the fixed prior p(z) = N(0, I)):
// encoder q(z|x,y) and decoder p(x|z,y) both see the label as a one-hot vector, concatenated to
// the image (mlp) or to the flattened conv features (conv) and to z. It generates images of
// requested classes; its ELBO and IWAE bound are of log p(x|y), not log p(x). Shared metrics
// (active units, IWAE, class grids) are computed by the harness.
#include "genlab/builders.hpp"
#include "genlab/error.hpp"
#include "genlab/latent.hpp"
#include "genlab/modular_model.hpp"
#include "genlab/plugin.hpp"

using namespace genlab;

namespace {

class Cvae final : public ModularModel {
 public:
  static ModelDescription describe() {
    Schema schema = network_schema();
    schema.insert(schema.end(), {latent_dim_param(20), likelihood_param(), beta_param()});
    ModelDescription d{"cvae", "1.0.0", "Conditional VAE (MLP or conv): encoder and decoder see the one-hot label",
                       kReconstructs | kEncodes | kSamples | kConditional | kImportanceWeights | kGaussianPosterior |
                           kStandardNormalPrior,
                       schema};
    d.metric_cards = elbo_metric_cards();
    return d;
  }

  void init(InitContext& ctx) override {
    const Params& p = ctx.params();
    const Shape& shape = ctx.data().sample_shape;
    latent_ = static_cast<std::size_t>(p.get_int("latent_dim"));
    classes_ = ctx.data().num_classes;
    beta_ = static_cast<float>(p.get_float("beta"));
    likelihood_ = likelihood_from(p);
    if (classes_ == 0) throw ConfigError("cvae needs a labelled data set (data '" + ctx.data().name + "' has no classes)");
    const NetworkSpec net = NetworkSpec::from(p);
    Rng& rng = ctx.init_rng();
    // conv: trunk x -> features (B, F), head [features, y] -> (B, 2Z) is one Linear;
    // mlp: the trunk is the identity (F = D), the head the whole MLP on [x, y].
    const std::size_t features = net.conv() ? conv_feature_size(shape, net.channels) : ctx.data().dim;
    trunk_ = &add_module("encoder/", net.conv() ? make_conv_encoder<float>(shape, net.channels, net.activation,
                                                                           net.batch_norm, rng)
                                                : std::make_unique<Sequential<float>>());
    const std::vector<std::int64_t> head_hidden = net.conv() ? std::vector<std::int64_t>{} : net.hidden;
    head_ = &add_module("encoder/", make_mlp<float>(layer_sizes(features + classes_, head_hidden, 2 * latent_),
                                                    net.activation, rng));
    decoder_ = &add_module("decoder/", make_decoder<float>(net, latent_ + classes_, shape, rng));  // [z, y] -> logits
    optimizer_ = &ctx.make_optimizer("model", parameters());
  }

  Metrics train_step(const Batch& batch, StepContext& ctx) override {
    const Var x(batch.x), y = one_hot(batch.y, batch.size());  // x: (B, D), y: (B, C)
    const auto [mu, logvar] = encode_vars(x, y);               // (B, Z) each
    const Var logits = decode_logits(reparameterize(mu, logvar, ctx.noise), y);  // z: (B, Z) -> (B, D)
    const ElboTerms terms = elbo_loss(likelihood_, beta_, logits, x, mu, logvar);
    optimizer_->zero_grad();
    terms.loss.backward();
    optimizer_->step();
    return terms.metrics();
  }

  Metrics evaluate(const Batch& batch, Rng& eval_rng) override {
    const Var x(batch.x), y = one_hot(batch.y, batch.size());
    const auto [mu, logvar] = encode_vars(x, y);  // -log p(x|z,y) terms
    return elbo_metrics(likelihood_, beta_, decode_logits(reparameterize(mu, logvar, eval_rng), y), x, mu, logvar);
  }

  Tensor<float> reconstruct(const Batch& batch) override {
    const Var y = one_hot(batch.y, batch.size());
    const auto [mu, logvar] = encode_vars(Var(batch.x), y);
    return sigmoid(decode_logits(mu, y)).value();
  }
  std::pair<Tensor<float>, Tensor<float>> encode(const Batch& batch) override {
    const auto [mu, logvar] = encode_vars(Var(batch.x), one_hot(batch.y, batch.size()));
    return {mu.value(), logvar.value()};
  }
  // z: (n, Z), labels: n entries -> images (n, D)
  Tensor<float> decode(const Tensor<float>& z, const std::vector<std::int32_t>& labels) override {
    return sigmoid(decode_logits(Var(z), one_hot(labels, z.shape()[0]))).value();
  }
  // labels: n requested classes (empty: classes 0, 1, ..., C-1, 0, ... in turn)
  Tensor<float> sample(std::size_t n, const std::vector<std::int32_t>& labels, Rng& rng) override {
    std::vector<std::int32_t> y = labels;
    if (y.empty()) {
      for (std::size_t i = 0; i < n; ++i) y.push_back(static_cast<std::int32_t>(i % classes_));
    }
    return decode(rng.normal_tensor<float>({n, latent_}, 0.f, 1.f), y);
  }
  std::size_t latent_dim() const override { return latent_; }

  // x: (B, D), y -> log p(x|z,y) + log p(z) - log q(z|x,y): (k, B), z ~ q(z|x,y) drawn from rng.
  Tensor<float> log_importance_weights(const Batch& batch, std::size_t k, Rng& rng) override {
    const std::size_t b = batch.size();
    const Var y1 = one_hot(batch.y, b);
    const auto [mu1, logvar1] = encode_vars(Var(batch.x), y1);
    const Var mu = repeat_rows(mu1, k), logvar = repeat_rows(logvar1, k);  // (kB, Z)
    const Var z = reparameterize(mu, logvar, rng);
    const Var logits = decode_logits(z, repeat_rows(y1, k));
    const Var log_px = log_likelihood_rows(likelihood_, logits, repeat_rows(Var(batch.x), k));  // (kB,)
    return reshape(log_importance_weight_rows(log_px, z, mu, logvar), {k, b}).value();
  }

 private:
  // labels (n,) -> one-hot (n, C)
  Var one_hot(const std::vector<std::int32_t>& labels, std::size_t n) const { return genlab::one_hot(labels, n, classes_); }
  // x: (B, D), y: (B, C) -> mu, logvar: (B, Z)
  std::pair<Var, Var> encode_vars(const Var& x, const Var& y) {
    const Var h = (*head_)(concat(std::vector<Var>{(*trunk_)(x), y}, 1));  // [(B, F), (B, C)] -> (B, 2Z)
    return {slice(h, 1, 0, latent_), slice(h, 1, latent_, 2 * latent_)};
  }
  // z: (B, Z), y: (B, C) -> logits (B, D)
  Var decode_logits(const Var& z, const Var& y) { return (*decoder_)(concat(std::vector<Var>{z, y}, 1)); }

  std::size_t latent_ = 0, classes_ = 0;
  float beta_ = 1.f;
  Likelihood likelihood_ = Likelihood::Bernoulli;
  Sequential<float>*trunk_ = nullptr, *head_ = nullptr, *decoder_ = nullptr;
  Optimizer<float>* optimizer_ = nullptr;
};

}  // namespace

GENLAB_REGISTER_MODEL(Cvae)

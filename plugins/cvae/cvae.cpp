// Plugin "cvae": the conditional VAE (Sohn et al. 2015, with the fixed prior p(z) = N(0, I)):
// encoder q(z|x,y) and decoder p(x|z,y) both see the label as a one-hot vector, concatenated to
// the image (mlp) or to the flattened conv features (conv) and to z. It generates images of
// requested classes; its ELBO and IWAE bound are of log p(x|y), not log p(x). Shared metrics
// (active units, IWAE, class grids) are computed by the harness.
#include <cmath>
#include <numbers>

#include "genlab/builders.hpp"
#include "genlab/error.hpp"
#include "genlab/plugin.hpp"

using namespace genlab;

namespace {

// x: (B, ...) -> (k * B, ...): k copies stacked, row r = copy r / B of row r % B.
Var repeat_rows(const Var& x, std::size_t k) { return concat(std::vector<Var>(k, x), 0); }

class Cvae final : public Model {
 public:
  static ModelDescription describe() {
    Schema schema = network_schema();
    schema.push_back(int_param("latent_dim", 20, "size of z").at_least(1).at_most(4096));
    schema.push_back(string_param("likelihood", "bernoulli",
                                  "decoder: bernoulli = summed BCE, gaussian = summed squared error / 2 (unit variance)")
                         .one_of({"bernoulli", "gaussian"}));
    schema.push_back(float_param("beta", 1.0, "weight of the KL term (beta-VAE when != 1)").at_least(0).at_most(1e6));
    return {"cvae", "1.0.0", "Conditional VAE (MLP or conv): encoder and decoder see the one-hot label",
            kReconstructs | kEncodes | kSamples | kConditional | kImportanceWeights, schema};
  }

  void init(InitContext& ctx) override {
    const Params& p = ctx.params();
    const Shape& shape = ctx.data().sample_shape;
    latent_ = static_cast<std::size_t>(p.get_int("latent_dim"));
    classes_ = ctx.data().num_classes;
    dim_ = ctx.data().dim;
    beta_ = static_cast<float>(p.get_float("beta"));
    bernoulli_ = p.get_string("likelihood") == "bernoulli";
    if (classes_ == 0) throw ConfigError("cvae needs a labelled data set (data '" + ctx.data().name + "' has no classes)");
    const NetworkSpec net = NetworkSpec::from(p);
    Rng& rng = ctx.init_rng();
    // conv: trunk x -> features (B, F), head [features, y] -> (B, 2Z) is one Linear;
    // mlp: the trunk is the identity (F = D), the head the whole MLP on [x, y].
    std::size_t features = dim_;
    if (net.conv()) {
      trunk_ = make_conv_encoder<float>(shape, net.channels, net.activation, net.batch_norm, rng);
      features = conv_feature_size(shape, net.channels);
    } else {
      trunk_ = std::make_unique<Sequential<float>>();
    }
    const std::vector<std::int64_t> head_hidden = net.conv() ? std::vector<std::int64_t>{} : net.hidden;
    head_ = make_mlp<float>(layer_sizes(features + classes_, head_hidden, 2 * latent_), net.activation, rng);
    decoder_ = make_decoder<float>(net, latent_ + classes_, shape, rng);  // [z, y] -> logits
    optimizer_ = &ctx.make_optimizer("model", parameters());
  }

  Metrics train_step(const Batch& batch, StepContext& ctx) override {
    const Var x(batch.x), y = one_hot(batch.y, batch.size());  // x: (B, D), y: (B, C)
    const auto [mu, logvar] = encode_vars(x, y);               // (B, Z) each
    const Var eps(ctx.noise.normal_tensor<float>(mu.shape(), 0.f, 1.f));
    const Var z = mu + exp(logvar * 0.5f) * eps;               // z: (B, Z)
    const Var logits = decode_logits(z, y);                    // (B, D)
    const float inv_b = 1.f / static_cast<float>(batch.size());
    const Var recon = reconstruction_loss(logits, x) * inv_b;
    const Var kl = gaussian_kl(mu, logvar, Reduction::Sum) * inv_b;
    const Var loss = recon + kl * beta_;
    optimizer_->zero_grad();
    loss.backward();
    optimizer_->step();
    return {{"loss", loss.item()}, {"recon", recon.item()}, {"kl", kl.item()}};
  }

  Metrics evaluate(const Batch& batch, Rng& eval_rng) override {
    const Var x(batch.x), y = one_hot(batch.y, batch.size());
    const auto [mu, logvar] = encode_vars(x, y);
    const Var eps(eval_rng.normal_tensor<float>(mu.shape(), 0.f, 1.f));
    const Var logits = decode_logits(mu + exp(logvar * 0.5f) * eps, y);
    const float inv_b = 1.f / static_cast<float>(batch.size());
    const double bce_v = (bce_with_logits(logits, x, Reduction::Sum) * inv_b).item();
    const double mse_v = (mse(sigmoid(logits), x, Reduction::Sum) * inv_b).item();
    const double kl_v = (gaussian_kl(mu, logvar, Reduction::Sum) * inv_b).item();
    const double trained_recon = bernoulli_ ? bce_v : 0.5 * mse_v;  // -log p(x|z,y)
    const double log_norm = bernoulli_ ? 0.0 : 0.5 * static_cast<double>(dim_) * std::log(2 * std::numbers::pi);
    return {{"recon_bce", bce_v}, {"recon_mse", mse_v}, {"kl", kl_v},
            {"neg_elbo", trained_recon + log_norm + kl_v}, {"loss", trained_recon + beta_ * kl_v}};
  }

  std::vector<NamedParameter<float>> parameters() override {
    auto params = trunk_->parameters("encoder/");
    for (auto& p : head_->parameters("encoder/")) params.push_back(std::move(p));
    for (auto& p : decoder_->parameters("decoder/")) params.push_back(std::move(p));
    return params;
  }
  std::vector<std::pair<std::string, Tensor<float>*>> buffers() override {
    auto b = trunk_->buffers("encoder/");
    for (auto& d : decoder_->buffers("decoder/")) b.push_back(d);
    return b;
  }
  void set_training(bool on) override {
    trunk_->set_training(on);
    head_->set_training(on);
    decoder_->set_training(on);
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
    const Var z = mu + exp(logvar * 0.5f) * Var(rng.normal_tensor<float>(mu.shape(), 0.f, 1.f));
    const Var x = repeat_rows(Var(batch.x), k);                            // (kB, D)
    const Var zero(zeros<float>(z.shape()));
    const Var log_pz = sum(gaussian_log_density(z, zero, zero, Reduction::None), {1});
    const Var log_qz = sum(gaussian_log_density(z, mu, logvar, Reduction::None), {1});
    const Var logits = decode_logits(z, repeat_rows(y1, k));
    return reshape(log_likelihood(logits, x) + log_pz - log_qz, {k, b}).value();
  }

 private:
  // labels (n,) -> one-hot (n, C); throws naming the bad label
  Var one_hot(const std::vector<std::int32_t>& labels, std::size_t n) const {
    if (labels.size() != n) {
      throw DataError("cvae: needs one label per image, got " + std::to_string(labels.size()) +
                      " labels for " + std::to_string(n) + " images");
    }
    Tensor<float> t = zeros<float>({n, classes_});
    for (std::size_t i = 0; i < n; ++i) {
      if (labels[i] < 0 || static_cast<std::size_t>(labels[i]) >= classes_) {
        throw DataError("cvae: label " + std::to_string(labels[i]) + " outside [0, " + std::to_string(classes_) + ")");
      }
      t(i, static_cast<std::size_t>(labels[i])) = 1.f;
    }
    return Var(t);
  }
  // x: (B, D), y: (B, C) -> mu, logvar: (B, Z)
  std::pair<Var, Var> encode_vars(const Var& x, const Var& y) {
    const Var h = (*head_)(concat(std::vector<Var>{(*trunk_)(x), y}, 1));  // [(B, F), (B, C)] -> (B, 2Z)
    return {slice(h, 1, 0, latent_), slice(h, 1, latent_, 2 * latent_)};
  }
  // z: (B, Z), y: (B, C) -> logits (B, D)
  Var decode_logits(const Var& z, const Var& y) { return (*decoder_)(concat(std::vector<Var>{z, y}, 1)); }
  Var reconstruction_loss(const Var& logits, const Var& x) const {
    if (bernoulli_) return bce_with_logits(logits, x, Reduction::Sum);
    return mse(sigmoid(logits), x, Reduction::Sum) * 0.5f;
  }
  // logits, x: (N, D) -> log p(x|z,y) per row: (N,), with the Gaussian's normalising constant
  Var log_likelihood(const Var& logits, const Var& x) const {
    if (bernoulli_) return sum(bernoulli_log_density(x, logits, Reduction::None), {1});
    const Var unit(zeros<float>(x.shape()));
    return sum(gaussian_log_density(x, sigmoid(logits), unit, Reduction::None), {1});
  }

  std::size_t dim_ = 0, latent_ = 0, classes_ = 0;
  float beta_ = 1.f;
  bool bernoulli_ = true;
  std::unique_ptr<Sequential<float>> trunk_, head_, decoder_;
  Optimizer<float>* optimizer_ = nullptr;
};

}  // namespace

GENLAB_REGISTER_MODEL(Cvae)

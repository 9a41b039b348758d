// Plugin "wae_mmd" (an out-of-tree example): the Wasserstein autoencoder with the MMD penalty
// (Tolstikhin et al. 2018): deterministic encoder z = E(x), decoder logits D(z), loss =
// summed BCE per image + lambda * MMD^2(q(z), N(0, I)) with the inverse multiquadratic kernel.
// It reports the split-level MMD of the aggregate posterior (end_evaluation), not per-batch
// means. It does not learn a posterior variance: it declares no Gaussian posterior.
#include <algorithm>

#include "genlab/builders.hpp"
#include "genlab/modular_model.hpp"
#include "genlab/plugin.hpp"

using namespace genlab;

namespace {

// a: (n, Z), b: (m, Z) -> IMQ kernel values C / (C + ||a_i - b_j||^2): (n, m)
Var imq_kernel(const Var& a, const Var& b, float c) {
  const Var a2 = sum(square(a), {1}, true);                                  // (n, 1)
  const Var b2 = reshape(sum(square(b), {1}), {1, b.dim(0)});                // (1, m)
  const Var d2 = a2 + b2 - matmul(a, b, false, true) * 2.f;                  // (n, m)
  return c / (d2 + c);
}

// Unbiased MMD^2 between samples z: (n, Z) of q(z) and p: (n, Z) of the prior (n >= 2).
Var mmd2(const Var& z, const Var& p, float c) {
  const std::size_t n = z.dim(0);
  Tensor<float> off = full<float>({n, n}, 1.f);  // excludes the i = j terms
  for (std::size_t i = 0; i < n; ++i) off(i, i) = 0.f;
  const Var mask(off);
  const float pairs = 1.f / static_cast<float>(n * (n - 1));
  const Var within = (sum(imq_kernel(z, z, c) * mask) + sum(imq_kernel(p, p, c) * mask)) * pairs;
  return within - sum(imq_kernel(z, p, c)) * (2.f / static_cast<float>(n * n));
}

constexpr std::size_t kSplitMmdRows = 2000;  // rows of the split-level MMD (n^2 kernel entries)

class WaeMmd final : public ModularModel {
 public:
  static ModelDescription describe() {
    Schema schema = network_schema();
    schema.push_back(int_param("latent_dim", 8, "size of z").at_least(2).at_most(4096));
    schema.push_back(float_param("lambda", 10.0, "weight of the MMD penalty").greater_than(0));
    ModelDescription d{"wae_mmd", "1.0.0", "Wasserstein autoencoder, MMD penalty (IMQ kernel), Bernoulli decoder",
                       kReconstructs | kEncodes | kSamples | kStandardNormalPrior, schema};
    d.metric_cards = {
        {"loss", "recon + lambda * mmd, the training objective", "nats per image (+ penalty)", Better::Lower},
        {"recon", "summed BCE of the decoder logits, mean per image", "nats per image", Better::Lower},
        {"recon_bce", "summed BCE of the decoder logits, mean per image", "nats per image", Better::Lower},
        {"recon_mse", "summed squared error of sigmoid(logits), mean per image", "pixel^2 per image", Better::Lower},
        {"mmd", "unbiased MMD^2(q(z), N(0, I)) on one batch, IMQ kernel C = 2 Z", "", Better::Lower},
        {"mmd_split", "unbiased MMD^2(q(z), N(0, I)) over the first 2000 images of the split against as many prior "
                      "draws, IMQ kernel C = 2 Z; independent of eval.batch_size", "", Better::Lower}};
    return d;
  }

  void init(InitContext& ctx) override {
    const Params& p = ctx.params();
    latent_ = static_cast<std::size_t>(p.get_int("latent_dim"));
    lambda_ = static_cast<float>(p.get_float("lambda"));
    kernel_c_ = 2.f * static_cast<float>(latent_);
    const NetworkSpec net = NetworkSpec::from(p);
    encoder_ = &add_module("encoder/", make_encoder<float>(net, ctx.data().sample_shape, latent_, ctx.init_rng()));
    decoder_ = &add_module("decoder/", make_decoder<float>(net, latent_, ctx.data().sample_shape, ctx.init_rng()));
    optimizer_ = &ctx.make_optimizer("model", parameters());
  }

  Metrics train_step(const Batch& batch, StepContext& ctx) override {
    const Var x(batch.x);                                      // x: (B, D)
    const Var z = (*encoder_)(x);                              // z: (B, Z)
    const Var prior(ctx.noise.normal_tensor<float>(z.shape(), 0.f, 1.f));
    const Var recon = bce_with_logits((*decoder_)(z), x, Reduction::Sum) * (1.f / static_cast<float>(batch.size()));
    const Var penalty = mmd2(z, prior, kernel_c_);
    const Var loss = recon + penalty * lambda_;
    optimizer_->zero_grad();
    loss.backward();
    optimizer_->step();
    return {{"loss", loss.item()}, {"recon", recon.item()}, {"mmd", penalty.item()}};
  }

  void begin_evaluation() override {
    codes_.clear();
    prior_.clear();
  }

  Metrics evaluate(const Batch& batch, Rng& eval_rng) override {
    const Var x(batch.x);
    const Var z = (*encoder_)(x);
    const Var logits = (*decoder_)(z);
    const float inv_b = 1.f / static_cast<float>(batch.size());
    const Tensor<float> draws = eval_rng.normal_tensor<float>(z.shape(), 0.f, 1.f);
    const std::size_t keep = std::min(batch.size(), kSplitMmdRows - std::min(kSplitMmdRows, codes_.size() / latent_));
    codes_.insert(codes_.end(), z.value().data(), z.value().data() + keep * latent_);
    prior_.insert(prior_.end(), draws.data(), draws.data() + keep * latent_);
    return {{"recon_bce", (bce_with_logits(logits, x, Reduction::Sum) * inv_b).item()},
            {"recon_mse", (mse(sigmoid(logits), x, Reduction::Sum) * inv_b).item()}};
  }

  Metrics end_evaluation() override {
    const std::size_t n = codes_.size() / latent_;
    if (n < 2) return {};
    auto as_var = [&](const std::vector<float>& v) {
      Tensor<float> t = Tensor<float>::from_shape({n, latent_});
      std::copy(v.begin(), v.end(), t.data());
      return Var(t);
    };
    return {{"mmd_split", mmd2(as_var(codes_), as_var(prior_), kernel_c_).item()}};
  }

  Tensor<float> reconstruct(const Batch& batch) override { return decode((*encoder_)(Var(batch.x)).value(), {}); }
  // a deterministic code: the log-variance is not a posterior's (no kGaussianPosterior)
  std::pair<Tensor<float>, Tensor<float>> encode(const Batch& batch) override {
    Tensor<float> z = (*encoder_)(Var(batch.x)).value();
    return {z, zeros<float>(shape_of(z))};
  }
  Tensor<float> decode(const Tensor<float>& z, const std::vector<std::int32_t>&) override {
    return sigmoid((*decoder_)(Var(z))).value();
  }
  Tensor<float> sample(std::size_t n, const std::vector<std::int32_t>& labels, Rng& rng) override {
    return decode(rng.normal_tensor<float>({n, latent_}, 0.f, 1.f), labels);
  }
  std::size_t latent_dim() const override { return latent_; }

 private:
  std::size_t latent_ = 0;
  float lambda_ = 10.f, kernel_c_ = 16.f;
  Sequential<float>*encoder_ = nullptr, *decoder_ = nullptr;
  Optimizer<float>* optimizer_ = nullptr;
  std::vector<float> codes_, prior_;  // the split's first codes and prior draws: (n, Z) row-major
};

}  // namespace

GENLAB_REGISTER_MODEL(WaeMmd)

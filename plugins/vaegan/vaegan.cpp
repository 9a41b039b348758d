// Plugin "vaegan": the VAE-GAN of Larsen et al. 2016 ("Autoencoding beyond pixels using a learned
// similarity metric"): encoder q(z|x), decoder = generator (the vae plugin's mlp/conv decoder,
// sigmoid output), discriminator whose feature_layer-th hidden layer Dis_l measures the
// reconstruction (a Gaussian in feature space: 0.5 |Dis_l(x) - Dis_l(x~)|^2 summed per image).
// Encoder: KL + feature reconstruction; decoder: gamma * feature reconstruction + GAN loss on
// reconstructions and prior samples (non-saturating); discriminator: BCE real vs both fakes.
// Optional equilibrium gating. The pixel BCE is reported, never trained on.
#include <cmath>

#include "genlab/adversarial.hpp"
#include "genlab/error.hpp"
#include "genlab/gaussian_vae.hpp"
#include "genlab/latent.hpp"
#include "genlab/plugin.hpp"

using namespace genlab;

namespace {

constexpr float kEquilibrium = 0.68f;  // ~ln 2: the BCE of an undecided discriminator

class VaeGan final : public GaussianVae {
 public:
  static ModelDescription describe() {
    Schema s = network_schema();
    s.push_back(int_param("latent_dim", 20, "size of z").at_least(1).at_most(4096));
    s.push_back(int_list_param("d_channels", {32, 64}, "conv arch: discriminator convs k4 s2 p1 (LeakyReLU 0.2)")
                    .at_least(1).at_most(4096));
    s.push_back(int_list_param("d_hidden", {256, 256}, "mlp arch: discriminator hidden sizes (LeakyReLU 0.2)")
                    .at_least(1).at_most(65536));
    s.push_back(int_param("feature_layer", 2, "the discriminator layer l (1-based) whose features measure reconstruction")
                    .at_least(1).at_most(64));
    s.push_back(float_param("gamma", 1.0, "decoder: weight of the feature reconstruction (content) against the GAN loss (style)")
                    .greater_than(0).at_most(1e6));
    s.push_back(float_param("equilibrium_margin", 0.0,
                            "0 = off; else D is not updated while a D BCE < 0.68 - margin, the decoder not while one > 0.68 + margin")
                    .at_least(0).at_most(0.68));
    ModelDescription d{"vaegan", "1.0.0",
                       "VAE-GAN (Larsen et al. 2016): discriminator-feature reconstruction, GAN on recon and prior samples",
                       kReconstructs | kEncodes | kSamples | kDiscriminates | kGaussianPosterior | kStandardNormalPrior, s};
    d.optimizer_groups = {"encoder", "decoder", "discriminator"};
    return d;
  }

  void init(InitContext& ctx) override {
    const Params& p = ctx.params();
    gamma_ = static_cast<float>(p.get_float("gamma"));
    margin_ = static_cast<float>(p.get_float("equilibrium_margin"));
    const NetworkSpec net = NetworkSpec::from(p);
    const Shape& shape = ctx.data().sample_shape;
    build_encoder_decoder(net, shape, static_cast<std::size_t>(p.get_int("latent_dim")), ctx.init_rng());
    build_discriminator(net, p, shape, ctx.init_rng());
    e_opt_ = &ctx.make_optimizer("encoder", encoder().parameters("encoder/"));
    g_opt_ = &ctx.make_optimizer("decoder", decoder().parameters("decoder/"));
    d_opt_ = &ctx.make_optimizer("discriminator", discriminator_params());
  }

  Metrics train_step(const Batch& batch, StepContext& ctx) override {
    const Var x(batch.x);                                            // (B, D) in [0, 1]
    const auto [mu, logvar] = encode_vars(x);                        // (B, Z) each
    const Var z = reparameterize(mu, logvar, ctx.noise);
    const Var z_prior(ctx.noise.normal_tensor<float>(mu.shape(), 0.f, 1.f));
    const Var recon = sigmoid(decode_logits(z));                     // x~: (B, D)
    const Var prior = sigmoid(decode_logits(z_prior));               // x_p: (B, D)
    // Discriminator: real vs reconstructions and prior samples (inputs cut from E and G)
    const Var d_real = score(x), d_recon = score(recon.detach()), d_prior = score(prior.detach());
    const Var bce_real = bce_with_logits(d_real, ones_like(d_real)), bce_recon = bce_with_logits(d_recon, zeros_like(d_recon)),
              bce_prior = bce_with_logits(d_prior, zeros_like(d_prior));
    const Var d_loss = bce_real + bce_recon + bce_prior;
    bool train_d = true, train_g = true;
    if (margin_ > 0) {  // equilibrium gating on the D's BCE of the real and the prior-sampled batch
      const float r = bce_real.item(), f = bce_prior.item();
      train_d = !(r < kEquilibrium - margin_ || f < kEquilibrium - margin_);
      train_g = !(r > kEquilibrium + margin_ || f > kEquilibrium + margin_);
      if (!train_d && !train_g) train_d = train_g = true;
    }
    d_opt_->zero_grad();
    d_loss.backward();
    if (train_d) d_opt_->step();
    // Encoder and decoder under the (updated) discriminator, one backward:
    //   L = KL + llike + (gan(recon from z cut from E) + gan(prior)) / gamma, decoder grads * gamma
    // gives the encoder d(KL + llike) and the decoder d(gamma llike + gan).
    const float inv_b = 1.f / static_cast<float>(batch.size());
    const Var kl = gaussian_kl(mu, logvar, Reduction::Sum) * inv_b;
    const Var llike = mse(features(recon), features(x).detach(), Reduction::Sum) * (0.5f * inv_b);
    const Var recon_cut = sigmoid(decode_logits(z.detach()));
    const Var gan = generator_loss(GanLoss::NonSaturating, score(recon_cut)) +
                    generator_loss(GanLoss::NonSaturating, score(prior));
    const Var total = kl + llike + gan * (1.f / gamma_);
    e_opt_->zero_grad();
    g_opt_->zero_grad();
    total.backward();
    for (const auto& p : g_opt_->params()) {
      if (p.variable.has_grad()) p.variable.mutable_grad() *= gamma_;
    }
    e_opt_->step();
    if (train_g) g_opt_->step();
    const double bce = (bce_with_logits(decode_logits(mu.detach()), x, Reduction::Sum) * inv_b).item();
    return {{"kl", kl.item()}, {"llike", llike.item()}, {"gan", gan.item()}, {"d_loss", d_loss.item()},
            {"recon_bce", bce}, {"d_updated", train_d ? 1.0 : 0.0}, {"g_updated", train_g ? 1.0 : 0.0}};
  }

  Metrics evaluate(const Batch& batch, Rng& eval_rng) override {
    const Var x(batch.x);
    const auto [mu, logvar] = encode_vars(x);
    const Var z = reparameterize(mu, logvar, eval_rng);
    const Var logits = decode_logits(z);
    const Var recon = sigmoid(logits);
    const float inv_b = 1.f / static_cast<float>(batch.size());
    return {{"recon_bce", (bce_with_logits(logits, x, Reduction::Sum) * inv_b).item()},
            {"recon_mse", (mse(recon, x, Reduction::Sum) * inv_b).item()},
            {"kl", (gaussian_kl(mu, logvar, Reduction::Sum) * inv_b).item()},
            {"llike", (mse(features(recon), features(x), Reduction::Sum) * (0.5f * inv_b)).item()}};
  }

  // x: (B, D) -> logits (B,)
  Tensor<float> discriminate(const Batch& batch) override {
    const Var s = score(Var(batch.x));
    return reshape(s, Shape{batch.size()}).value();
  }

 private:
  // The discriminator in two parts: lower_ = layers 1..l (x -> Dis_l features, flattened),
  // upper_ = layers l+1.. and the linear head (features -> logit (B, 1)), registered after the
  // encoder and decoder as "discriminator/lower/" and "discriminator/upper/".
  void build_discriminator(const NetworkSpec& net, const Params& p, const Shape& shape, Rng& rng) {
    const auto l = static_cast<std::size_t>(p.get_int("feature_layer"));
    std::unique_ptr<Sequential<float>> lower, upper = std::make_unique<Sequential<float>>();
    if (net.conv()) {
      std::vector<std::size_t> channels;
      for (auto c : p.get_int_list("d_channels")) channels.push_back(static_cast<std::size_t>(c));
      check_layer(l, channels.size(), "d_channels");
      const std::vector<std::size_t> low(channels.begin(), channels.begin() + static_cast<std::ptrdiff_t>(l));
      lower = make_conv_encoder<float>(shape, low, "leaky_relu", false, rng);  // (B, F_l)
      const std::size_t c = channels[l - 1], h = shape[1] >> l, w = shape[2] >> l;
      if (l < channels.size()) {
        const std::vector<std::size_t> high(channels.begin() + static_cast<std::ptrdiff_t>(l), channels.end());
        upper = make_conv_encoder<float>(Shape{c, h, w}, high, "leaky_relu", false, rng, 1);
      } else {
        upper->add("fc", std::make_unique<Linear<float>>(c * h * w, 1, rng));
      }
    } else {
      const std::vector<std::int64_t> hidden = p.get_int_list("d_hidden");
      check_layer(l, hidden.size(), "d_hidden");
      const std::vector<std::int64_t> low(hidden.begin(), hidden.begin() + static_cast<std::ptrdiff_t>(l));
      lower = make_mlp<float>(layer_sizes(shape_size(shape), std::vector<std::int64_t>(low.begin(), low.end() - 1),
                                          static_cast<std::size_t>(low.back())), "leaky_relu", rng);
      lower->add("act_out", make_activation<float>("leaky_relu"));
      const std::vector<std::int64_t> high(hidden.begin() + static_cast<std::ptrdiff_t>(l), hidden.end());
      upper = make_mlp<float>(layer_sizes(static_cast<std::size_t>(low.back()), high, 1), "leaky_relu", rng);
    }
    lower_ = &add_module("discriminator/lower/", std::move(lower));
    upper_ = &add_module("discriminator/upper/", std::move(upper));
  }
  static void check_layer(std::size_t l, std::size_t layers, const char* key) {
    if (l > layers) {
      throw ConfigError("model.feature_layer = " + std::to_string(l) + " but the discriminator has only " +
                        std::to_string(layers) + " hidden layers (model." + key + ")");
    }
  }
  std::vector<NamedParameter<float>> discriminator_params() {
    auto params = lower_->parameters("discriminator/lower/");
    for (auto& p : upper_->parameters("discriminator/upper/")) params.push_back(std::move(p));
    return params;
  }
  // x: (B, D) -> Dis_l(x): (B, F_l)
  Var features(const Var& x) { return (*lower_)(x); }
  // x: (B, D) -> logits (B, 1)
  Var score(const Var& x) { return (*upper_)(features(x)); }
  static Var ones_like(const Var& v) { return Var(full<float>(v.shape(), 1.f)); }
  static Var zeros_like(const Var& v) { return Var(zeros<float>(v.shape())); }

  float gamma_ = 1.f, margin_ = 0.f;
  Sequential<float>*lower_ = nullptr, *upper_ = nullptr;
  Optimizer<float>* e_opt_ = nullptr;
  Optimizer<float>* g_opt_ = nullptr;
  Optimizer<float>* d_opt_ = nullptr;
};

}  // namespace

GENLAB_REGISTER_MODEL(VaeGan)

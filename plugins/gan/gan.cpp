// Plugin "gan": a generative adversarial network (Goodfellow et al. 2014) with an MLP (2-D
// mixtures, flat images) or the small DCGAN (28x28 images) generator and discriminator, the
// minimax / non-saturating / least-squares / hinge losses, k discriminator updates per generator
// update, PacGAN packing (Lin et al. 2018), one-sided label smoothing, normal or uniform noise.
// Images are modelled on 2x - 1 in [-1, 1] (tanh output) and mapped back to [0, 1] by sample();
// 2-D points are modelled as they are. Shared metrics (D accuracy, modes, FID) are the harness's.
// In evaluation G's batch norm uses the running statistics of training (g_bn_eval = running) or
// the population statistics of the current G, recomputed from fresh noise (population).
#include "genlab/adversarial.hpp"
#include "genlab/builders.hpp"
#include "genlab/error.hpp"
#include "genlab/plugin.hpp"

using namespace genlab;

namespace {

// g_bn_eval = population: G's batch-norm statistics are the mean of the batch statistics of
// kPopulationBatches batches of kPopulationBatch fresh z (5,000 samples, as PacGAN's monitoring pass).
constexpr std::size_t kPopulationBatches = 10, kPopulationBatch = 500;

// sizes = {in, h1, ..., out}: Linear "fc<i>" [+ BatchNorm "bn<i>"] + activation per hidden layer,
// then a Linear to out, then tanh if `squash`. x: (B, in) -> (B, out)
std::unique_ptr<Sequential<float>> mlp_generator(const std::vector<std::size_t>& sizes, const std::string& activation,
                                                 bool batch_norm, bool squash, Rng& rng) {
  auto net = std::make_unique<Sequential<float>>();
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    net->add("fc" + n, std::make_unique<Linear<float>>(sizes[i], sizes[i + 1], rng));
    if (i + 2 == sizes.size()) break;
    if (batch_norm) net->add("bn" + n, std::make_unique<BatchNorm<float>>(sizes[i + 1]));
    net->add("act" + n, make_activation<float>(activation));
  }
  if (squash) net->add("tanh", make_activation<float>("tanh"));
  return net;
}

class Gan final : public Model {
 public:
  static ModelDescription describe() {
    Schema s{
        string_param("arch", "mlp", "mlp (g_hidden, d_hidden; any data) or dcgan (the small 28x28 DCGAN; images)")
            .one_of({"mlp", "dcgan"}),
        int_param("latent_dim", 100, "size of the noise z").at_least(1).at_most(4096),
        string_param("noise", "normal", "distribution of z: normal N(0, I) or uniform U(-1, 1)")
            .one_of({"normal", "uniform"}),
        int_list_param("g_hidden", {400, 400, 400, 400}, "mlp: generator hidden sizes (PacGAN's 2-D setup)")
            .at_least(1).at_most(65536),
        int_list_param("d_hidden", {200, 200, 200}, "mlp: discriminator hidden sizes").at_least(1).at_most(65536),
        string_param("g_activation", "relu", "mlp: generator hidden activation")
            .one_of({"relu", "leaky_relu", "tanh", "softplus"}),
        string_param("d_activation", "leaky_relu", "mlp: discriminator hidden activation (leaky_relu: slope 0.2)")
            .one_of({"relu", "leaky_relu", "tanh", "softplus"}),
        bool_param("g_batch_norm", true, "mlp: batch norm after every generator hidden layer"),
        string_param("g_bn_eval", "running",
                     "statistics of G's batch norm in evaluation and sample(): running (the momentum-0.1 average "
                     "of training's batch statistics) or population (recomputed from 5,000 fresh samples of the "
                     "current G before each evaluation, as PacGAN's code does)")
            .one_of({"running", "population"}),
        string_param("loss", "non_saturating", "adversarial loss").one_of({"minimax", "non_saturating", "lsgan", "hinge"}),
        int_param("d_steps", 1, "discriminator updates per generator update (k): G steps on every k-th train step")
            .at_least(1).at_most(100),
        int_param("pack", 1, "PacGAN: the discriminator sees this many samples concatenated (1 = plain GAN)")
            .at_least(1).at_most(16),
        float_param("label_smoothing", 0.0, "one-sided label smoothing: real target 1 - s (not with hinge)")
            .at_least(0).less_than(1),
    };
    ModelDescription d{"gan", "1.0.0",
                       "GAN (MLP or DCGAN): minimax/non-saturating/LSGAN/hinge, k D steps, PacGAN packing, label smoothing",
                       kSamples | kDiscriminates, s};
    d.optimizer_groups = {"generator", "discriminator"};
    return d;  // images are sampled in [0, 1] (mapped from tanh's [-1, 1] here), 2-D points as they are
  }

  void init(InitContext& ctx) override {
    const Params& p = ctx.params();
    const DataInfo& data = ctx.data();
    dim_ = data.dim;
    latent_ = static_cast<std::size_t>(p.get_int("latent_dim"));
    uniform_ = p.get_string("noise") == "uniform";
    loss_ = gan_loss_from(p.get_string("loss"));
    d_steps_ = p.get_int("d_steps");
    pack_ = static_cast<std::size_t>(p.get_int("pack"));
    smoothing_ = static_cast<float>(p.get_float("label_smoothing"));
    if (loss_ == GanLoss::Hinge && smoothing_ > 0) {
      throw ConfigError("model.label_smoothing applies to minimax, non_saturating and lsgan, not to hinge (got " +
                        std::to_string(smoothing_) + ")");
    }
    images_ = data.sample_shape.size() == 3;
    population_bn_ = p.get_string("g_bn_eval") == "population";
    population_rng_ = ctx.init_rng().derive("gan/bn_population");  // does not draw from "init"
    if (p.get_string("arch") == "dcgan") {
      generator_ = make_dcgan_generator<float>(latent_, data.sample_shape, ctx.init_rng());
      discriminator_ = make_dcgan_discriminator<float>(data.sample_shape, pack_, ctx.init_rng());
    } else {
      generator_ = mlp_generator(layer_sizes(latent_, p.get_int_list("g_hidden"), dim_), p.get_string("g_activation"),
                                 p.get_bool("g_batch_norm"), images_, ctx.init_rng());
      discriminator_ = make_mlp<float>(layer_sizes(pack_ * dim_, p.get_int_list("d_hidden"), 1),
                                       p.get_string("d_activation"), ctx.init_rng());
    }
    g_opt_ = &ctx.make_optimizer("generator", generator_->parameters("generator/"));
    d_opt_ = &ctx.make_optimizer("discriminator", discriminator_->parameters("discriminator/"));
  }

  Metrics train_step(const Batch& batch, StepContext& ctx) override {
    const std::size_t b = usable_rows(batch.size());
    const Var real = to_model(batch.x, b);                  // (b, D)
    population_fresh_ = false;
    const Var fake = (*generator_)(Var(noise(b, ctx.noise)));  // (b, D), graph kept for the G step
    // D step: x: (b, D) -> packed (b / m, m D) -> raw scores (b / m, 1)
    const Var d_real = critic(real), d_fake = critic(fake.detach());
    const Var d_loss = discriminator_loss(loss_, d_real, d_fake, smoothing_);
    d_opt_->zero_grad();
    d_loss.backward();
    d_opt_->step();
    // G loss of the same fakes under the updated D; a G step on every d_steps-th train step
    const Var g_loss = generator_loss(loss_, critic(fake));
    if ((ctx.step + 1) % d_steps_ == 0) {
      g_opt_->zero_grad();
      g_loss.backward();
      g_opt_->step();
    }
    return {{"d_loss", d_loss.item()}, {"g_loss", g_loss.item()},
            {"d_real", mean(decision_score(loss_, d_real)).item()},
            {"d_fake", mean(decision_score(loss_, d_fake)).item()}};
  }

  Metrics evaluate(const Batch& batch, Rng& eval_rng) override {
    const std::size_t b = usable_rows(batch.size());
    const Var d_real = critic(to_model(batch.x, b));
    const Var d_fake = critic(generate(noise(b, eval_rng)));
    return {{"d_loss", discriminator_loss(loss_, d_real, d_fake, smoothing_).item()},
            {"g_loss", generator_loss(loss_, d_fake).item()}};
  }

  std::vector<NamedParameter<float>> parameters() override {
    auto params = generator_->parameters("generator/");
    for (auto& p : discriminator_->parameters("discriminator/")) params.push_back(std::move(p));
    return params;
  }
  std::vector<std::pair<std::string, Tensor<float>*>> buffers() override {
    auto b = generator_->buffers("generator/");
    for (auto& d : discriminator_->buffers("discriminator/")) b.push_back(d);
    return b;
  }
  void set_training(bool on) override {
    generator_->set_training(on);
    discriminator_->set_training(on);
  }
  void begin_evaluation() override { population_fresh_ = false; }

  // -> (n, D) in data space: images in [0, 1], 2-D points as generated
  Tensor<float> sample(std::size_t n, const std::vector<std::int32_t>&, Rng& rng) override {
    Tensor<float> x = generate(noise(n, rng)).value();
    if (images_) x = (x + 1.f) * 0.5f;
    return x;
  }

  // x: (B, D) in data space -> decision scores (B,), > 0 = real. With pack m, row i is scored in
  // the group of rows m floor(i / m) .. (the batch wraps around to fill the last group).
  Tensor<float> discriminate(const Batch& batch) override {
    const std::size_t n = batch.size(), groups = (n + pack_ - 1) / pack_;
    Tensor<float> x = Tensor<float>::from_shape({groups * pack_, dim_});
    for (std::size_t r = 0; r < groups * pack_; ++r) {
      std::copy(batch.x.data() + (r % n) * dim_, batch.x.data() + (r % n + 1) * dim_, x.data() + r * dim_);
    }
    const Tensor<float> s = decision_score(loss_, critic(to_model(x, x.shape()[0]))).value();  // (groups, 1)
    Tensor<float> out = Tensor<float>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) out(i) = s.data()[i / pack_];
    return out;
  }

  std::size_t latent_dim() const override { return latent_; }

 private:
  // Rows of a batch the packed discriminator can use: a multiple of pack.
  std::size_t usable_rows(std::size_t n) const {
    const std::size_t b = n - n % pack_;
    if (b == 0) {
      throw ConfigError("gan: a batch of " + std::to_string(n) + " examples is smaller than model.pack = " +
                        std::to_string(pack_));
    }
    return b;
  }
  // The first b rows of x: (N, D) in data space -> model space (images 2x - 1)
  Var to_model(const Tensor<float>& x, std::size_t b) const {
    Tensor<float> out = Tensor<float>::from_shape({b, dim_});
    std::copy(x.data(), x.data() + b * dim_, out.data());
    if (images_) out = out * 2.f - 1.f;
    return Var(out);
  }
  // z: (n, Z)
  Tensor<float> noise(std::size_t n, Rng& rng) const {
    return uniform_ ? rng.uniform_tensor<float>({n, latent_}, -1.f, 1.f) : rng.normal_tensor<float>({n, latent_}, 0.f, 1.f);
  }
  // x: (b, D) -> raw scores (b / pack, 1)
  Var critic(const Var& x) { return (*discriminator_)(pack_rows(x, pack_)); }

  // z: (n, Z) -> G(z): (n, D). In evaluation with g_bn_eval = population, G's batch norm uses the
  // current G's population statistics (computed once per evaluation); the buffers keep the
  // running statistics, so checkpoints and training do not depend on evaluations.
  Var generate(const Tensor<float>& z) {
    if (!population_bn_ || generator_->training()) return (*generator_)(Var(z));
    if (!population_fresh_) compute_population_stats();
    swap_population_stats();
    const Var x = (*generator_)(Var(z));
    swap_population_stats();
    return x;
  }
  // population_[i] = (mean, var) of G's i-th batch norm over kPopulationBatches batches of fresh z
  // from the fixed stream population_rng_, each layer fed through the earlier ones in training
  // mode (their batch statistics, as in training); the running statistics are left as they were.
  void compute_population_stats() {
    NoGradGuard no_grad;
    const std::vector<BatchNorm<float>*> bns = generator_batch_norms();
    std::vector<std::pair<Tensor<float>, Tensor<float>>> running;
    std::vector<float> momentum;
    for (BatchNorm<float>* bn : bns) {
      running.emplace_back(bn->running_mean, bn->running_var);
      momentum.push_back(bn->momentum);
    }
    generator_->set_training(true);  // only called in evaluation (generate)
    Rng rng = population_rng_;  // the same noise at every evaluation
    for (std::size_t k = 0; k < kPopulationBatches; ++k) {
      for (BatchNorm<float>* bn : bns) bn->momentum = 1.f / static_cast<float>(k + 1);  // running mean of batches
      (*generator_)(Var(noise(kPopulationBatch, rng)));
    }
    generator_->set_training(false);
    population_.clear();
    for (std::size_t i = 0; i < bns.size(); ++i) {
      population_.emplace_back(bns[i]->running_mean, bns[i]->running_var);
      bns[i]->running_mean = running[i].first;
      bns[i]->running_var = running[i].second;
      bns[i]->momentum = momentum[i];
    }
    population_fresh_ = true;
  }
  void swap_population_stats() {
    const std::vector<BatchNorm<float>*> bns = generator_batch_norms();
    for (std::size_t i = 0; i < bns.size(); ++i) {
      std::swap(bns[i]->running_mean, population_[i].first);
      std::swap(bns[i]->running_var, population_[i].second);
    }
  }
  // G's batch-norm layers (both archs build G as one flat Sequential)
  std::vector<BatchNorm<float>*> generator_batch_norms() {
    std::vector<BatchNorm<float>*> out;
    for (std::size_t i = 0; i < generator_->size(); ++i) {
      if (auto* bn = dynamic_cast<BatchNorm<float>*>(&(*generator_)[i])) out.push_back(bn);
    }
    return out;
  }

  std::size_t dim_ = 0, latent_ = 0, pack_ = 1;
  std::int64_t d_steps_ = 1;
  bool uniform_ = false, images_ = false;
  bool population_bn_ = false, population_fresh_ = false;
  Rng population_rng_ = Rng::from_key(0);  // set in init()
  std::vector<std::pair<Tensor<float>, Tensor<float>>> population_;  // (mean, var) (C,) per G batch norm
  float smoothing_ = 0.f;
  GanLoss loss_ = GanLoss::NonSaturating;
  std::unique_ptr<Sequential<float>> generator_, discriminator_;
  Optimizer<float>* g_opt_ = nullptr;
  Optimizer<float>* d_opt_ = nullptr;
};

}  // namespace

GENLAB_REGISTER_MODEL(Gan)

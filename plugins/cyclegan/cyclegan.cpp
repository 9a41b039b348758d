// Plugin "cyclegan": unpaired image-to-image translation (Zhu et al. 2017) scaled to 28x28: two
// ResNet generators G: A -> B and F: B -> A (conv encoder, residual blocks, transposed-conv
// decoder, instance or batch norm), two PatchGAN discriminators D_A, D_B, LSGAN (or minimax /
// non-saturating) adversarial losses, the cycle loss lambda_cycle (|F(G(a)) - a| + |G(F(b)) - b|;
// optionally ramped up from 0 over the first steps), U-Net skips in the generators (optional),
// the identity loss lambda_id (|G(b) - b| + |F(a) - a|), and an image pool of earlier fakes per
// discriminator (kept in the checkpoint). mode = "paired" trains the same generators on pairs
// (a, T(a)) with L1 only: the supervised baseline (needs data.paired = true). Images are modelled
// on 2x - 1 (tanh outputs); the translation metrics are the harness's.
#include <algorithm>
#include <utility>

#include "genlab/adversarial.hpp"
#include "genlab/error.hpp"
#include "genlab/plugin.hpp"

using namespace genlab;

namespace {

using Net = Sequential<float>;

// "instance" | "batch" | "none" -> a norm layer over c channels, or nullptr.
std::unique_ptr<Module<float>> make_norm(const std::string& kind, std::size_t c) {
  if (kind == "instance") return std::make_unique<InstanceNorm<float>>(c);
  if (kind == "batch") return std::make_unique<BatchNorm<float>>(c);
  return nullptr;
}

// conv (k, stride, padding) + [norm] + activation, named "<name>", "<name>_norm", "<name>_act".
void add_conv(Net& net, const std::string& name, std::size_t in, std::size_t out, std::size_t k, Conv2dGeometry g,
              const std::string& norm, const std::string& act, Rng& rng) {
  net.add(name, std::make_unique<Conv2d<float>>(in, out, k, g, rng));
  if (auto n = make_norm(norm, out)) net.add(name + "_norm", std::move(n));
  if (!act.empty()) net.add(name + "_act", make_activation<float>(act));
}

// x: (B, C, H, W) -> x + body(x); body = conv3 + norm + relu + conv3 + norm (channels kept).
class Residual final : public Module<float> {
 public:
  Residual(std::size_t c, const std::string& norm, Rng& rng) {
    add_conv(body_, "conv1", c, c, 3, {1, 1, 0}, norm, "relu", rng);
    add_conv(body_, "conv2", c, c, 3, {1, 1, 0}, norm, "", rng);
  }
  Var forward(const Var& x) override { return x + body_(x); }
  void collect_parameters(const std::string& prefix, std::vector<NamedParameter<float>>& out) override {
    body_.collect_parameters(prefix, out);
  }
  void collect_buffers(const std::string& prefix, std::vector<std::pair<std::string, Tensor<float>*>>& out) override {
    body_.collect_buffers(prefix, out);
  }
  void set_training(bool on) override {
    Module<float>::set_training(on);
    body_.set_training(on);
  }

 private:
  Net body_;
};

// The generator: c7s1-g, d2g (14x14), d4g (7x7), R blocks of 4g, u2g (14x14), ug (28x28),
// c7s1-1, tanh (the paper's ResNet generator with one downsampling step fewer in width: 7x7 is as
// small as 28x28 allows). With skips (pix2pix's U-Net connections, Isola et al. 2017, the
// authors' other generator family), each decoder level also sees the encoder's map of its
// resolution: u2g's output is concatenated with d2g's (4g channels at 14x14) before ug, and ug's
// with c7s1-g's (2g at 28x28) before the last conv, so pixel detail need not pass the 7x7 body.
class Generator final : public Module<float> {
 public:
  Generator(const Shape& shape, std::size_t g, std::size_t blocks, const std::string& norm, bool skips, Rng& rng)
      : shape_(shape), skips_(skips) {
    const std::size_t c = shape[0], widen = skips ? 2 : 1;
    add_conv(in_, "in", c, g, 7, {1, 3, 0}, norm, "relu", rng);                 // (B, g, 28, 28)
    add_conv(down1_, "down1", g, 2 * g, 3, {2, 1, 0}, norm, "relu", rng);       // (B, 2g, 14, 14)
    add_conv(body_, "down2", 2 * g, 4 * g, 3, {2, 1, 0}, norm, "relu", rng);    // (B, 4g, 7, 7)
    for (std::size_t i = 0; i < blocks; ++i) body_.add("res" + std::to_string(i + 1), std::make_unique<Residual>(4 * g, norm, rng));
    add_up(body_, "up1", 4 * g, 2 * g, norm, rng);                              // (B, 2g, 14, 14)
    add_up(up2_, "up2", widen * 2 * g, g, norm, rng);                           // (B, g, 28, 28)
    add_conv(out_, "out", widen * g, c, 7, {1, 3, 0}, "none", "tanh", rng);     // (B, C, 28, 28)
  }

  // x: (B, D) in [-1, 1] -> (B, D) in (-1, 1)
  Var forward(const Var& x) override {
    const Var e0 = in_(reshape(x, Shape{x.shape()[0], shape_[0], shape_[1], shape_[2]}));
    const Var e1 = down1_(e0);
    const Var u1 = body_(e1);
    const Var u2 = up2_(skips_ ? concat<float>({u1, e1}, 1) : u1);
    const Var y = out_(skips_ ? concat<float>({u2, e0}, 1) : u2);
    return reshape(y, Shape{x.shape()[0], shape_size(shape_)});
  }
  void collect_parameters(const std::string& prefix, std::vector<NamedParameter<float>>& out) override {
    for (Net* n : parts()) n->collect_parameters(prefix, out);
  }
  void collect_buffers(const std::string& prefix, std::vector<std::pair<std::string, Tensor<float>*>>& out) override {
    for (Net* n : parts()) n->collect_buffers(prefix, out);
  }
  void set_training(bool on) override {
    Module<float>::set_training(on);
    for (Net* n : parts()) n->set_training(on);
  }

 private:
  // convT3 s2 (doubles H and W) + [norm] + relu
  static void add_up(Net& net, const std::string& name, std::size_t in, std::size_t out, const std::string& norm, Rng& rng) {
    net.add(name, std::make_unique<ConvTranspose2d<float>>(in, out, 3, Conv2dGeometry{2, 1, 1}, rng));
    if (auto n = make_norm(norm, out)) net.add(name + "_norm", std::move(n));
    net.add(name + "_act", make_activation<float>("relu"));
  }
  std::vector<Net*> parts() { return {&in_, &down1_, &body_, &up2_, &out_}; }

  Shape shape_;
  bool skips_;
  Net in_, down1_, body_, up2_, out_;  // body_: down2, the residual blocks, up1
};

// PatchGAN: x (B, 784) -> raw scores (B, 49), one per 18x18 patch of a 7x7 map: conv4 s2 -> d
// (14x14), LeakyReLU 0.2, conv4 s2 -> 2d (7x7), norm, LeakyReLU, conv3 s1 -> 1 (no norm on the first
// and last layer, as in the paper).
std::unique_ptr<Net> make_patch_discriminator(const Shape& shape, std::size_t d, const std::string& norm, Rng& rng) {
  auto net = std::make_unique<Net>();
  net->add("reshape", std::make_unique<Reshape<float>>(shape));
  add_conv(*net, "conv1", shape[0], d, 4, {2, 1, 0}, "none", "leaky_relu", rng);
  add_conv(*net, "conv2", d, 2 * d, 4, {2, 1, 0}, norm, "leaky_relu", rng);
  add_conv(*net, "conv3", 2 * d, 1, 3, {1, 1, 0}, "none", "", rng);
  net->add("flatten", std::make_unique<Reshape<float>>(Shape{(shape[1] / 4) * (shape[2] / 4)}));
  return net;
}

// Shrivastava et al. 2017's history of generated images: the first `cap` fakes fill it; then
// each new fake is, with probability 1/2, swapped with a random stored one (the stored one goes
// to the discriminator), else passed on. Its rows and count go into the checkpoint.
class ImagePool {
 public:
  ImagePool(std::size_t cap, std::size_t dim) : cap_(cap), dim_(dim), images_(zeros<float>({std::max<std::size_t>(cap, 1), dim})) {}

  // fresh: (B, dim) -> (B, dim), the rows the discriminator sees
  Tensor<float> query(const Tensor<float>& fresh, Rng& rng) {
    Tensor<float> out = fresh;
    if (cap_ == 0) return out;
    for (std::size_t i = 0; i < fresh.shape()[0]; ++i) {
      float* row = out.data() + i * dim_;
      if (count_ < cap_) {
        std::copy(row, row + dim_, images_.data() + count_++ * dim_);
      } else if (rng.uniform() < 0.5) {
        float* stored = images_.data() + rng.below(cap_) * dim_;
        for (std::size_t j = 0; j < dim_; ++j) std::swap(row[j], stored[j]);
      }
    }
    return out;
  }
  void save(const std::string& name, TensorMap<float>& out) const {
    if (cap_ == 0) return;
    out[name + "/images"] = images_;
    out[name + "/count"] = Tensor<float>{static_cast<float>(count_)};
  }
  void load(const std::string& name, const TensorMap<float>& in) {
    if (cap_ == 0) return;
    const auto images = in.find(name + "/images"), count = in.find(name + "/count");
    if (images == in.end() || count == in.end() || shape_of(images->second) != shape_of(images_)) {
      throw ConfigError("cyclegan: the checkpoint has no image pool '" + name + "' of " + std::to_string(cap_) +
                        " images (saved with another model.pool_size?)");
    }
    images_ = images->second;
    count_ = static_cast<std::size_t>(count->second.data()[0]);
  }

 private:
  std::size_t cap_, dim_;
  Tensor<float> images_;  // (cap, dim)
  std::size_t count_ = 0;
};

class CycleGan final : public Model {
 public:
  static ModelDescription describe() {
    Schema s{
        string_param("mode", "cycle", "cycle (unpaired CycleGAN) or paired (L1 on pairs (a, T(a)); needs data.paired)")
            .one_of({"cycle", "paired"}),
        int_param("g_channels", 16, "generator base channels g (g, 2g, 4g)").at_least(1).at_most(512),
        bool_param("g_skips", false, "U-Net skip connections in the generators (pix2pix): each decoder level also sees the encoder's map of its resolution"),
        int_param("res_blocks", 2, "residual blocks at 7x7 in each generator").at_least(0).at_most(32),
        int_param("d_channels", 16, "PatchGAN base channels d (d, 2d)").at_least(1).at_most(512),
        string_param("norm", "instance", "normalisation in generators and discriminators").one_of({"instance", "batch", "none"}),
        string_param("loss", "lsgan", "adversarial loss").one_of({"lsgan", "minimax", "non_saturating"}),
        float_param("lambda_cycle", 10.0, "weight of the cycle-consistency L1 loss (each way)").at_least(0).at_most(1e6),
        int_param("lambda_cycle_ramp_steps", 0,
                  "steps over which lambda_cycle rises linearly from 0 to its value (0 = full weight from the first step); "
                  "lambda_id is not ramped")
            .at_least(0),
        float_param("lambda_id", -1.0, "weight of the identity L1 loss; -1 = 0.5 * lambda_cycle (the paper's), 0 = off")
            .at_least(-1).at_most(1e6),
        int_param("pool_size", 50, "image pool of earlier fakes per discriminator (0 = off)").at_least(0).at_most(10000),
    };
    ModelDescription d{"cyclegan", "1.0.0",
                       "CycleGAN: two ResNet generators, two PatchGANs, LSGAN, cycle + identity L1, image pools; or a paired L1 baseline",
                       kTranslates | kDiscriminates, s};
    d.optimizer_groups = {"generator", "discriminator"};
    d.output_range = OutputRange::Symmetric;
    d.metric_cards = {
        {"g_loss", "generator objective: adversarial (both ways) + lambda_cycle cycle L1 + lambda_id identity L1 (paired: L1 to the pair, both ways)", "", Better::Lower},
        {"d_loss", "D_A + D_B losses on real images and pooled fakes", "", Better::Unspecified},
        {"cycle_l1", "mean |F(G(a)) - a| + |G(F(b)) - b| per pixel on [-1, 1] (model space), summed over both ways", "", Better::Lower},
        {"identity_l1", "mean |G(b) - b| + |F(a) - a| per pixel on [-1, 1], both ways", "", Better::Unspecified},
    };
    return d;
  }

  void init(InitContext& ctx) override {
    const Params& p = ctx.params();
    const DataInfo& data = ctx.data();
    if (data.sample_shape.size() != 3 || data.sample_shape[1] % 4 != 0 || data.sample_shape[2] % 4 != 0) {
      throw ConfigError("cyclegan needs images whose sides divide by 4 (e.g. 28x28), got sample shape " +
                        shape_str(data.sample_shape) + " of data set '" + data.name + "'");
    }
    dim_ = data.dim;
    paired_ = p.get_string("mode") == "paired";
    loss_ = gan_loss_from(p.get_string("loss"));
    lambda_cycle_ = static_cast<float>(p.get_float("lambda_cycle"));
    cycle_ramp_steps_ = p.get_int("lambda_cycle_ramp_steps");
    const double id = p.get_float("lambda_id");
    if (id < 0 && id != -1.0) throw ConfigError("model.lambda_id must be >= 0, or -1 for 0.5 * lambda_cycle (got " + std::to_string(id) + ")");
    lambda_id_ = id < 0 ? 0.5f * lambda_cycle_ : static_cast<float>(id);
    const std::string norm = p.get_string("norm");
    const auto g = static_cast<std::size_t>(p.get_int("g_channels")), blocks = static_cast<std::size_t>(p.get_int("res_blocks"));
    const auto dc = static_cast<std::size_t>(p.get_int("d_channels"));
    Rng& rng = ctx.init_rng();
    const bool skips = p.get_bool("g_skips");
    g_ab_ = std::make_unique<Generator>(data.sample_shape, g, blocks, norm, skips, rng);
    g_ba_ = std::make_unique<Generator>(data.sample_shape, g, blocks, norm, skips, rng);
    d_a_ = make_patch_discriminator(data.sample_shape, dc, norm, rng);
    d_b_ = make_patch_discriminator(data.sample_shape, dc, norm, rng);
    const auto pool = static_cast<std::size_t>(p.get_int("pool_size"));
    pool_a_ = std::make_unique<ImagePool>(pool, dim_);
    pool_b_ = std::make_unique<ImagePool>(pool, dim_);
    g_opt_ = &ctx.make_optimizer("generator", generator_parameters());
    d_opt_ = &ctx.make_optimizer("discriminator", discriminator_parameters());
  }

  Metrics train_step(const Batch& batch, StepContext& ctx) override {
    if (!batch.two_domain()) throw ConfigError("cyclegan needs a two-domain data set (e.g. data.name = \"fashion_invert\")");
    const Var a = to_model(batch.x), b = to_model(batch.x_b);  // (B, D), (B_b, D)
    return paired_ ? paired_step(batch, a, b) : cycle_step(a, b, cycle_weight(ctx.step), ctx.noise);
  }

  Metrics evaluate(const Batch& batch, Rng&) override {
    if (!batch.two_domain()) return {};
    const Var a = to_model(batch.x), b = to_model(batch.x_b);
    const Var fake_b = (*g_ab_)(a), fake_a = (*g_ba_)(b);
    const Var cycle = l1((*g_ba_)(fake_b), a) + l1((*g_ab_)(fake_a), b);
    const Var d_loss = discriminator_loss(loss_, (*d_a_)(a), (*d_a_)(fake_a)) + discriminator_loss(loss_, (*d_b_)(b), (*d_b_)(fake_b));
    return {{"cycle_l1", cycle.item()}, {"d_loss", d_loss.item()}};
  }

  std::vector<NamedParameter<float>> parameters() override {
    auto params = generator_parameters();
    for (auto& p : discriminator_parameters()) params.push_back(std::move(p));
    return params;
  }
  std::vector<std::pair<std::string, Tensor<float>*>> buffers() override {
    std::vector<std::pair<std::string, Tensor<float>*>> out;
    for (auto& [name, net] : nets()) {
      for (auto& buffer : net->buffers(name + "/")) out.push_back(buffer);
    }
    return out;
  }
  void set_training(bool on) override {
    for (auto& [name, net] : nets()) net->set_training(on);
  }
  TensorMap<float> extra_state() const override {
    TensorMap<float> out;
    pool_a_->save("pool_a", out);
    pool_b_->save("pool_b", out);
    return out;
  }
  void load_extra_state(const TensorMap<float>& state) override {
    pool_a_->load("pool_a", state);
    pool_b_->load("pool_b", state);
  }

  // x: (B, D) in [0, 1] -> G(x) (direction 0, A -> B) or F(x) (1, B -> A): (B, D) in (-1, 1)
  Tensor<float> translate(const Batch& batch, int direction) override {
    if (direction != 0 && direction != 1) throw ConfigError("cyclegan: translate direction must be 0 or 1, got " + std::to_string(direction));
    return (direction == 0 ? *g_ab_ : *g_ba_)(to_model(batch.x)).value();
  }

  // x: (B, D) -> D_A's decision scores (B,); with x_b, D_B's (B_b,) after them: the mean over
  // patches of raw - 0.5 (lsgan) or the logit (> 0 = real)
  Tensor<float> discriminate(const Batch& batch) override {
    const Tensor<float> sa = patch_mean_score(*d_a_, batch.x);
    if (!batch.two_domain()) return sa;
    const Tensor<float> sb = patch_mean_score(*d_b_, batch.x_b);
    Tensor<float> out = Tensor<float>::from_shape({sa.size() + sb.size()});
    std::copy(sa.begin(), sa.end(), out.begin());
    std::copy(sb.begin(), sb.end(), out.begin() + static_cast<std::ptrdiff_t>(sa.size()));
    return out;
  }

 private:
  // The unpaired step: G and F on adversarial + cycle + identity losses, then D_A, D_B on real
  // images against pooled fakes (the paper's order).
  Metrics cycle_step(const Var& a, const Var& b, float lambda_cycle, Rng& noise) {
    const Var fake_b = (*g_ab_)(a), fake_a = (*g_ba_)(b);  // (B, D)
    const Var cycle = l1((*g_ba_)(fake_b), a) + l1((*g_ab_)(fake_a), b);
    Var g_loss = generator_loss(loss_, (*d_b_)(fake_b)) + generator_loss(loss_, (*d_a_)(fake_a));
    if (lambda_cycle > 0) g_loss = g_loss + lambda_cycle * cycle;
    double identity = 0;
    if (lambda_id_ > 0) {
      const Var id = l1((*g_ab_)(b), b) + l1((*g_ba_)(a), a);
      g_loss = g_loss + lambda_id_ * id;
      identity = id.item();
    }
    g_opt_->zero_grad();
    g_loss.backward();
    g_opt_->step();
    const Var pooled_a(pool_a_->query(fake_a.value(), noise)), pooled_b(pool_b_->query(fake_b.value(), noise));
    const Var d_loss = discriminator_loss(loss_, (*d_a_)(a), (*d_a_)(pooled_a)) +
                       discriminator_loss(loss_, (*d_b_)(b), (*d_b_)(pooled_b));
    d_opt_->zero_grad();
    d_loss.backward();
    d_opt_->step();
    return {{"g_loss", g_loss.item()}, {"d_loss", d_loss.item()}, {"cycle_l1", cycle.item()}, {"identity_l1", identity}};
  }

  // lambda_cycle at 0-based step `step`: lambda_cycle * min(1, step / ramp), or lambda_cycle
  float cycle_weight(std::int64_t step) const {
    if (cycle_ramp_steps_ <= 0 || step >= cycle_ramp_steps_) return lambda_cycle_;
    return lambda_cycle_ * static_cast<float>(static_cast<double>(step) / static_cast<double>(cycle_ramp_steps_));
  }

  // The supervised baseline: L1(G(a), b) + L1(F(b), a) on rows that are pairs (a, T(a)).
  Metrics paired_step(const Batch& batch, const Var& a, const Var& b) {
    if (batch.y != batch.y_b) {
      throw ConfigError("cyclegan: model.mode = \"paired\" needs a paired training set (data.paired = true): "
                        "this batch's A and B rows have different labels");
    }
    const Var g_loss = l1((*g_ab_)(a), b) + l1((*g_ba_)(b), a);
    g_opt_->zero_grad();
    g_loss.backward();
    g_opt_->step();
    return {{"g_loss", g_loss.item()}};
  }

  // x: (B, D) in [0, 1] -> (B,) mean decision score over the patches
  Tensor<float> patch_mean_score(Net& d, const Tensor<float>& x) {
    const Tensor<float> s = decision_score(loss_, d(to_model(x))).value();  // (B, P)
    const std::size_t n = s.shape()[0], p = s.shape()[1];
    Tensor<float> out = Tensor<float>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) {
      double sum = 0;
      for (std::size_t j = 0; j < p; ++j) sum += s(i, j);
      out(i) = static_cast<float>(sum / static_cast<double>(p));
    }
    return out;
  }

  // x: (B, D) in [0, 1] -> 2x - 1
  static Var to_model(const Tensor<float>& x) { return Var(Tensor<float>(x * 2.f - 1.f)); }

  std::vector<std::pair<std::string, Module<float>*>> nets() const {
    return {{"g_ab", g_ab_.get()}, {"g_ba", g_ba_.get()}, {"d_a", d_a_.get()}, {"d_b", d_b_.get()}};
  }
  std::vector<NamedParameter<float>> generator_parameters() {
    auto params = g_ab_->parameters("g_ab/");
    for (auto& p : g_ba_->parameters("g_ba/")) params.push_back(std::move(p));
    return params;
  }
  std::vector<NamedParameter<float>> discriminator_parameters() {
    auto params = d_a_->parameters("d_a/");
    for (auto& p : d_b_->parameters("d_b/")) params.push_back(std::move(p));
    return params;
  }

  std::size_t dim_ = 0;
  bool paired_ = false;
  GanLoss loss_ = GanLoss::LeastSquares;
  float lambda_cycle_ = 10.f, lambda_id_ = 5.f;
  std::int64_t cycle_ramp_steps_ = 0;
  std::unique_ptr<Generator> g_ab_, g_ba_;
  std::unique_ptr<Net> d_a_, d_b_;
  std::unique_ptr<ImagePool> pool_a_, pool_b_;
  Optimizer<float>* g_opt_ = nullptr;
  Optimizer<float>* d_opt_ = nullptr;
};

}  // namespace

GENLAB_REGISTER_MODEL(CycleGan)

// The plugin contract: the abstract genlab::Model every model plugin implements, its description
// (name, capabilities, hyper-parameter schema) and the contexts the harness hands it.
// The plugin owns the maths of one step and the order of its optimizer updates; the harness owns
// the loop, the data order, the RNG streams, the optimizers' state, checkpoints and metrics files.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "genlab/nn.hpp"
#include "genlab/optim.hpp"
#include "genlab/params.hpp"
#include "genlab/rng.hpp"

namespace genlab {

// The plugin ABI version covers everything a plugin compiles against: every SDK header
// (tensor, autograd, ops, nn, optim, rng, params, builders, model, plugin), their classes,
// vtables and inline code, and the registration macro. Bump it on any incompatible change to
// one of them. The loader also refuses a plugin stamped with another genlab version or
// compiler ABI (plugin.hpp), since an SDK class may change layout without anyone bumping this.
// v2: log_importance_weights (IWAE), classify/features (reference classifiers).
// v3 (additive: every v2 method keeps its meaning; new ones have defaults):
//  - ModelDescription::optimizer_groups: the groups init() asks make_optimizer() for; the spec
//    refuses [train.optimizer.<group>] for another group (nearest name suggested) and the
//    harness refuses make_optimizer() for an undeclared one (a typo was silently ignored).
//  - ModelDescription::metric_cards: definition, unit and better = lower|higher of the plugin's
//    own metrics, written as HDF5 attributes (they used to get a generic definition, no better).
//  - ModelDescription::output_range: unit (0, 1) | symmetric [-1, 1] | unbounded, so images and
//    sample metrics of generators that are not sigmoid-squashed are mapped by the harness.
//  - Capabilities kGaussianPosterior and kStandardNormalPrior: the harness computes the
//    per-dimension KL only when encode()'s logvar is a real posterior and the prior is N(0, I)
//    (it used to assume both for every encoder that samples).
//  - Model::begin_evaluation()/end_evaluation(): metrics over the whole split (e.g. an MMD),
//    not per-batch means; evaluate() accumulates, end_evaluation() returns them.
//  - Batch::x_b, y_b: a second domain for unpaired translation, drawn by the harness from its
//    own order stream (the harness owns both cursors).
//  - latent_dim() is used: test-plugin checks encode() and decode() against it.
//  - The build stamp (genlab version, compiler ABI) is exported beside the ABI version.
inline constexpr int kPluginAbiVersion = 3;

enum Capability : unsigned {
  kReconstructs = 1u << 0,   // reconstruct()
  kEncodes = 1u << 1,        // encode() -> (mu, logvar); decode()
  kSamples = 1u << 2,        // sample()
  kConditional = 1u << 3,    // uses labels; sample() takes requested labels
  kDiscriminates = 1u << 4,  // discriminate()
  kTranslates = 1u << 5,     // translate()
  kClassifies = 1u << 6,     // classify() and features(): usable as a reference classifier
  kImportanceWeights = 1u << 7,  // log_importance_weights(): the harness computes IWAE-k
  kGaussianPosterior = 1u << 8,  // encode()'s logvar is that of a diagonal Gaussian q(z|x)
                                 // (not a placeholder): per-dimension KL is meaningful
  kStandardNormalPrior = 1u << 9,  // the prior p(z) is N(0, I) (sample() decodes N(0, I) draws)
};
std::string capabilities_str(unsigned capabilities);  // "reconstructs, encodes, samples"

// What the values of decode(), sample(), reconstruct() and translate() lie in. The harness maps
// them to pixels and to the data's [0, 1] range for its metrics: unit as is, symmetric by
// (x + 1) / 2, unbounded clipped to [0, 1] (2-D point sets are never drawn as images).
enum class OutputRange { Unit, Symmetric, Unbounded };
const char* output_range_str(OutputRange range);  // "unit (0, 1)", "symmetric [-1, 1]", "unbounded"

enum class Better { Unspecified, Lower, Higher };
// What one metric a plugin returns means, written as attributes of /train/<name> and
// /eval/<name> (definition, unit, better). A metric without a card gets a generic definition.
struct MetricCard {
  std::string name;        // "loss", "mmd"
  std::string definition;  // "MMD^2 between q(z) and p(z), RBF kernel, whole split"
  std::string unit;        // "nats per image", "" if none
  Better better = Better::Unspecified;
};

struct ModelDescription {
  std::string name;     // "vae": the plugin's name in TOML ([model] plugin = "vae")
  std::string version;  // "1.0.0"
  std::string summary;  // one line
  unsigned capabilities = 0;
  Schema schema;        // hyper-parameters of [model]
  // v3 (defaults keep v2 plugins' meaning):
  std::vector<std::string> optimizer_groups = {"model"};  // groups init() asks make_optimizer for
  OutputRange output_range = OutputRange::Unit;
  std::vector<MetricCard> metric_cards = {};              // cards of train/eval metrics
};
const MetricCard* find_metric_card(const ModelDescription& d, const std::string& metric);

// What the model may know about the data: per-sample shape, flat size, classes.
struct DataInfo {
  std::string name;    // "fashion_mnist"
  Shape sample_shape;  // {1, 28, 28} or {2}
  std::size_t dim = 0; // prod(sample_shape): batches are (B, dim)
  std::size_t num_classes = 0;
  std::size_t train_size = 0;
};

struct Batch {
  Tensor<float> x;              // x: (B, dim), images in [0, 1] (domain A of a two-domain set)
  std::vector<std::int32_t> y;  // (B,) labels (class, or mixture component)
  // Two-domain (unpaired) data sets only, else empty: domain B's batch, drawn from its own order
  // stream, so x_b's rows are not paired with x's. x_b: (B_b, dim), y_b: (B_b,).
  Tensor<float> x_b = {};
  std::vector<std::int32_t> y_b = {};
  std::size_t size() const { return x.shape()[0]; }
  bool two_domain() const { return x_b.dimension() == 2; }  // (a default Tensor is 0-D, size 1)
};

using Metrics = std::map<std::string, double>;

class InitContext {
 public:
  virtual ~InitContext() = default;
  virtual const Params& params() const = 0;
  virtual const DataInfo& data() const = 0;
  virtual Rng& init_rng() = 0;  // the run's "init" stream
  // The optimizer of one parameter group, configured by [train.optimizer] and its per-group
  // sub-table; the harness owns it (learning-rate schedule, clipping, checkpointing).
  virtual Optimizer<float>& make_optimizer(const std::string& group,
                                           std::vector<NamedParameter<float>> params) = 0;
};

struct StepContext {
  Rng& noise;          // the run's "noise" stream (reparameterisation, GAN noise, dropout)
  std::int64_t step;   // 0-based global step
  double epoch;        // fractional epoch at the start of this step
};

class Model {
 public:
  virtual ~Model() = default;

  // Builds modules (drawing from ctx.init_rng()) and asks ctx for its optimizers.
  virtual void init(InitContext& ctx) = 0;
  // One optimisation step on a training batch; returns per-batch means ("loss", "kl", ...).
  virtual Metrics train_step(const Batch& batch, StepContext& ctx) = 0;
  // Per-batch means on an evaluation batch (called with gradients off and set_training(false));
  // the harness averages them over the split weighted by batch size.
  virtual Metrics evaluate(const Batch& batch, Rng& eval_rng) = 0;
  // Every trainable parameter and buffer, with hierarchical names ("encoder/fc1/W").
  virtual std::vector<NamedParameter<float>> parameters() = 0;
  virtual std::vector<std::pair<std::string, Tensor<float>*>> buffers() { return {}; }
  virtual void set_training(bool on) = 0;
  // Extra state a checkpoint must hold (e.g. an image pool); restored by load_extra_state.
  virtual TensorMap<float> extra_state() const { return {}; }
  virtual void load_extra_state(const TensorMap<float>& /*state*/) {}

  // ---- split-level metrics (v3) ----
  // Called before the first evaluate() of a split and after its last; evaluate() may
  // accumulate, end_evaluation() returns metrics of the whole split (written as they are, not
  // averaged over batches; they must not also appear in evaluate()'s result).
  virtual void begin_evaluation() {}
  virtual Metrics end_evaluation() { return {}; }

  // ---- optional capabilities (see ModelDescription::capabilities); defaults throw ----
  // x: (B, dim) -> reconstruction (B, dim) (decoder mean)
  virtual Tensor<float> reconstruct(const Batch& batch);
  // x: (B, dim) -> mu, logvar: (B, Z)
  virtual std::pair<Tensor<float>, Tensor<float>> encode(const Batch& batch);
  // z: (B, Z), labels (conditional models) -> (B, dim)
  virtual Tensor<float> decode(const Tensor<float>& z, const std::vector<std::int32_t>& labels);
  // -> (n, dim); labels has n entries for conditional models, else empty
  virtual Tensor<float> sample(std::size_t n, const std::vector<std::int32_t>& labels, Rng& rng);
  // x: (B, dim) -> logits (B,). Models that also translate have a discriminator per domain:
  // they score x with domain A's and, when the batch is two-domain, x_b with domain B's,
  // returning (B + B_b,) (A's scores first); the harness's per-domain D accuracy relies on it.
  virtual Tensor<float> discriminate(const Batch& batch);
  // x: (B, dim) -> (B, dim), direction 0 = A->B, 1 = B->A
  virtual Tensor<float> translate(const Batch& batch, int direction);
  // x: (B, dim) -> log w = log p(x, z_k) - log q(z_k | x) for k = 1..K fresh samples z_k ~ q(z|x)
  // drawn from rng: (K, B). The harness forms IWAE-K = mean_b(logsumexp_k(log w) - log K).
  virtual Tensor<float> log_importance_weights(const Batch& batch, std::size_t k, Rng& rng);
  // x: (B, dim) -> class logits (B, num_classes)
  virtual Tensor<float> classify(const Batch& batch);
  // x: (B, dim) -> penultimate-layer features (B, F), for Frechet distance and precision/recall
  virtual Tensor<float> features(const Batch& batch);
  // Latent size of models that encode or sample; 0 otherwise. genlab test-plugin checks that
  // encode() returns (B, latent_dim()) and that decode() takes z of that width.
  virtual std::size_t latent_dim() const { return 0; }
};

}  // namespace genlab

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

// Bumped whenever Model, the contexts or the registration macro change incompatibly.
// v2: log_importance_weights (IWAE), classify/features (reference classifiers).
inline constexpr int kPluginAbiVersion = 2;

enum Capability : unsigned {
  kReconstructs = 1u << 0,   // reconstruct()
  kEncodes = 1u << 1,        // encode() -> (mu, logvar); decode()
  kSamples = 1u << 2,        // sample()
  kConditional = 1u << 3,    // uses labels; sample() takes requested labels
  kDiscriminates = 1u << 4,  // discriminate()
  kTranslates = 1u << 5,     // translate()
  kClassifies = 1u << 6,     // classify() and features(): usable as a reference classifier
  kImportanceWeights = 1u << 7,  // log_importance_weights(): the harness computes IWAE-k
};
std::string capabilities_str(unsigned capabilities);  // "reconstructs, encodes, samples"

struct ModelDescription {
  std::string name;     // "vae": the plugin's name in TOML ([model] plugin = "vae")
  std::string version;  // "1.0.0"
  std::string summary;  // one line
  unsigned capabilities = 0;
  Schema schema;        // hyper-parameters of [model]
};

// What the model may know about the data: per-sample shape, flat size, classes.
struct DataInfo {
  std::string name;    // "fashion_mnist"
  Shape sample_shape;  // {1, 28, 28} or {2}
  std::size_t dim = 0; // prod(sample_shape): batches are (B, dim)
  std::size_t num_classes = 0;
  std::size_t train_size = 0;
};

struct Batch {
  Tensor<float> x;              // x: (B, dim), images in [0, 1]
  std::vector<std::int32_t> y;  // (B,) labels (class, or mixture component)
  std::size_t size() const { return x.shape()[0]; }
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
  virtual void load_extra_state(const TensorMap<float>& state) {}

  // ---- optional capabilities (see ModelDescription::capabilities); defaults throw ----
  // x: (B, dim) -> reconstruction (B, dim) (decoder mean)
  virtual Tensor<float> reconstruct(const Batch& batch);
  // x: (B, dim) -> mu, logvar: (B, Z)
  virtual std::pair<Tensor<float>, Tensor<float>> encode(const Batch& batch);
  // z: (B, Z), labels (conditional models) -> (B, dim)
  virtual Tensor<float> decode(const Tensor<float>& z, const std::vector<std::int32_t>& labels);
  // -> (n, dim); labels has n entries for conditional models, else empty
  virtual Tensor<float> sample(std::size_t n, const std::vector<std::int32_t>& labels, Rng& rng);
  // x: (B, dim) -> logits (B,)
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
  // Latent size of models that encode or sample (for noise banks); 0 otherwise.
  virtual std::size_t latent_dim() const { return 0; }
};

}  // namespace genlab

// Plugin "classifier": a small CNN (an MLP on 2-D point sets) trained with softmax cross-entropy
// on the labels; a finished run of it is a reference classifier for Frechet distance,
// precision/recall and conditional accuracy (classify() -> logits, features() -> penultimate).
// It does not compute those sample-quality metrics itself (harness/src/metrics does) and does
// not augment data.
#include <algorithm>

#include "genlab/plugin.hpp"

using namespace genlab;

namespace {

class Classifier final : public Model {
 public:
  static ModelDescription describe() {
    return {"classifier", "1.0.0",
            "Reference classifier: CNN (conv k3, then conv k4 stride 2) + hidden layer, softmax cross-entropy",
            kClassifies,
            {
                int_param("stem", 32, "channels of the first conv (k3 s1 p1, full resolution); 0 = none (images only)")
                    .at_least(0),
                int_list_param("channels", {32, 64}, "channels of the downsampling convs after it (k4 s2 p1 each)")
                    .at_least(1),
                int_param("hidden", 128, "size of the penultimate (feature) layer").at_least(1),
                bool_param("batch_norm", false, "batch norm after every conv"),
                float_param("dropout", 0.0, "dropout on the penultimate layer during training").at_least(0).less_than(1),
            }};
  }

  void init(InitContext& ctx) override {
    const Params& p = ctx.params();
    const DataInfo& data = ctx.data();
    classes_ = data.num_classes;
    dropout_ = static_cast<float>(p.get_float("dropout"));
    Rng& rng = ctx.init_rng();
    std::size_t flat = data.dim;
    if (data.sample_shape.size() == 3) flat = build_trunk(data.sample_shape, p, rng);
    const auto hidden = static_cast<std::size_t>(p.get_int("hidden"));
    fc1_ = std::make_unique<Linear<float>>(flat, hidden, rng);
    fc2_ = std::make_unique<Linear<float>>(hidden, classes_, rng);
    optimizer_ = &ctx.make_optimizer("model", parameters());
  }

  Metrics train_step(const Batch& batch, StepContext& ctx) override {
    const Var logits = (*fc2_)(penultimate(batch.x, &ctx.noise));  // (B, C)
    const Var loss = cross_entropy(logits, batch.y);
    optimizer_->zero_grad();
    loss.backward();
    optimizer_->step();
    return {{"loss", loss.item()}, {"accuracy", accuracy(logits.value(), batch.y)}};
  }

  Metrics evaluate(const Batch& batch, Rng&) override {
    const Var logits = (*fc2_)(penultimate(batch.x, nullptr));
    return {{"cross_entropy", cross_entropy(logits, batch.y).item()},
            {"accuracy", accuracy(logits.value(), batch.y)}};
  }

  std::vector<NamedParameter<float>> parameters() override {
    std::vector<NamedParameter<float>> params;
    if (trunk_) params = trunk_->parameters("trunk/");
    for (auto& p : fc1_->parameters("fc1/")) params.push_back(std::move(p));
    for (auto& p : fc2_->parameters("fc2/")) params.push_back(std::move(p));
    return params;
  }
  std::vector<std::pair<std::string, Tensor<float>*>> buffers() override {
    if (!trunk_) return {};
    return trunk_->buffers("trunk/");
  }
  void set_training(bool on) override {
    training_ = on;
    if (trunk_) trunk_->set_training(on);
    fc1_->set_training(on);
    fc2_->set_training(on);
  }

  Tensor<float> classify(const Batch& batch) override {
    return (*fc2_)(penultimate(batch.x, nullptr)).value();
  }
  Tensor<float> features(const Batch& batch) override { return penultimate(batch.x, nullptr).value(); }

 private:
  // Conv layers for images of shape (C, H, W); returns the flattened size of their output.
  std::size_t build_trunk(const Shape& shape, const Params& p, Rng& rng) {
    trunk_ = std::make_unique<Sequential<float>>();
    trunk_->add("reshape", std::make_unique<Reshape<float>>(shape));
    const bool bn = p.get_bool("batch_norm");
    std::size_t in = shape[0], h = shape[1], w = shape[2], index = 0;
    auto add_conv = [&](std::size_t out, std::size_t k, std::size_t stride) {
      const std::string n = std::to_string(++index);
      trunk_->add("conv" + n, std::make_unique<Conv2d<float>>(in, out, k, Conv2dGeometry{stride, 1, 0}, rng));
      if (bn) trunk_->add("bn" + n, std::make_unique<BatchNorm2d<float>>(out));
      trunk_->add("relu" + n, make_activation<float>("relu"));
      h = (h + 2 - k) / stride + 1;  // padding 1
      w = (w + 2 - k) / stride + 1;
      in = out;
    };
    if (const auto stem = p.get_int("stem"); stem > 0) add_conv(static_cast<std::size_t>(stem), 3, 1);
    for (const std::int64_t c : p.get_int_list("channels")) add_conv(static_cast<std::size_t>(c), 4, 2);
    return in * h * w;
  }

  // x: (B, dim) -> penultimate features (B, hidden); dropout only when training with a stream.
  Var penultimate(const Tensor<float>& x, Rng* noise) {
    Var h(x);
    if (trunk_) h = flatten((*trunk_)(h));  // (B, C, H', W') -> (B, C H' W')
    h = relu((*fc1_)(h));
    if (training_ && noise && dropout_ > 0.f) h = dropout(h, dropout_, true, *noise);
    return h;
  }

  // logits: (B, C), labels (B,) -> mean over the batch of logsumexp(logits) - logits[label]
  Var cross_entropy(const Var& logits, const std::vector<std::int32_t>& labels) const {
    const std::size_t b = logits.dim(0);
    Tensor<float> one_hot = xt::zeros<float>(Shape{b, classes_});  // (B, C)
    for (std::size_t i = 0; i < b; ++i) one_hot(i, static_cast<std::size_t>(labels.at(i))) = 1.f;
    const Var picked = sum(logits * Var(one_hot), {1});  // (B,)
    return mean(logsumexp(logits, 1) - picked);
  }

  // logits: (B, C) -> fraction of rows whose argmax is the label
  static double accuracy(const Tensor<float>& logits, const std::vector<std::int32_t>& labels) {
    const std::size_t b = logits.shape()[0], c = logits.shape()[1];
    std::size_t correct = 0;
    for (std::size_t i = 0; i < b; ++i) {
      const float* row = logits.data() + i * c;
      const auto best = static_cast<std::int32_t>(std::max_element(row, row + c) - row);
      correct += best == labels[i] ? 1 : 0;
    }
    return static_cast<double>(correct) / static_cast<double>(b);
  }

  std::size_t classes_ = 0;
  float dropout_ = 0.f;
  bool training_ = true;
  std::unique_ptr<Sequential<float>> trunk_;  // null for 2-D point sets
  std::unique_ptr<Linear<float>> fc1_, fc2_;
  Optimizer<float>* optimizer_ = nullptr;
};

}  // namespace

GENLAB_REGISTER_MODEL(Classifier)

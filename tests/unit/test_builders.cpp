// The network builders plugins share: conv encoder/decoder shapes and layer names (28 -> 14 -> 7
// and back), the input gradient through a whole small conv stack (double, central differences),
// the mlp/conv choice from hyper-parameters, and clear errors for shapes a stack cannot take.
#include <doctest/doctest.h>

#include "genlab/builders.hpp"
#include "genlab/error.hpp"
#include "support/gradcheck.hpp"

using namespace genlab;

namespace {
std::vector<std::string> names(Module<float>& m) {
  std::vector<std::string> out;
  for (const auto& p : m.parameters()) out.push_back(p.name);
  return out;
}
}  // namespace

TEST_CASE("builders: conv encoder 28 -> 14 -> 7 and its mirror decoder, with layer names") {
  Rng rng(1, "init");
  const Shape image{1, 28, 28};
  CHECK(conv_feature_size(image, {32, 64}) == 64 * 7 * 7);
  auto trunk = make_conv_encoder<float>(image, {32, 64}, "relu", false, rng);
  auto enc = make_conv_encoder<float>(image, {32, 64}, "relu", true, rng, 40);
  auto dec = make_conv_decoder<float>(20, image, {32, 64}, "relu", true, rng);
  const Var x(rng.uniform_tensor<float>({3, 784}, 0.f, 1.f));
  CHECK(trunk->forward(x).shape() == Shape{3, 64 * 7 * 7});
  CHECK(enc->forward(x).shape() == Shape{3, 40});
  CHECK(dec->forward(Var(zeros<float>({3, 20}))).shape() == Shape{3, 784});
  CHECK(names(*enc) == std::vector<std::string>{"conv1/W", "conv1/b", "bn1/gamma", "bn1/beta", "conv2/W", "conv2/b",
                                                "bn2/gamma", "bn2/beta", "fc/W", "fc/b"});
  // decoder: fc -> (64, 7, 7), deconv1 64 -> 32 (14x14) + bn, deconv2 32 -> 1 (28x28), no bn last
  CHECK(names(*dec) == std::vector<std::string>{"fc/W", "fc/b", "deconv1/W", "deconv1/b", "bn1/gamma", "bn1/beta",
                                                "deconv2/W", "deconv2/b"});
  CHECK(dec->parameters()[2].variable.shape() == Shape{64, 32, 4, 4});
  CHECK(dec->parameters()[6].variable.shape() == Shape{32, 1, 4, 4});
  CHECK(enc->buffers().size() == 4);  // running mean and variance of bn1 and bn2
}

TEST_CASE("builders: input gradient through a conv encoder and decoder (double, tol 1e-6)") {
  Rng rng(2, "init");
  const Shape image{1, 8, 8};
  auto enc = make_conv_encoder<double>(image, {2, 3}, "tanh", false, rng, 5);
  auto dec = make_conv_decoder<double>(5, image, {2, 3}, "tanh", false, rng);
  const auto x = Rng(3, "x").normal_tensor<double>({2, 64}, 0.0, 1.0);
  GENLAB_CHECK_GRAD(testing::gradcheck([&](const std::vector<VarD>& in) { return dec->forward(enc->forward(in[0])); }, {x}),
                    1e-6);
}

TEST_CASE("builders: make_encoder/make_decoder follow arch, and mlp is make_mlp exactly") {
  Params p = Params::with_defaults(network_schema(), {{"hidden", std::vector<std::int64_t>{16}}});
  NetworkSpec spec = NetworkSpec::from(p);
  CHECK(spec.arch == "mlp");
  CHECK(spec.channels == std::vector<std::size_t>{32, 64});
  Rng a(4, "init"), b(4, "init");
  auto enc = make_encoder<float>(spec, {1, 28, 28}, 10, a);
  auto ref = make_mlp<float>({784, 16, 10}, "relu", b);
  REQUIRE(enc->parameters().size() == ref->parameters().size());
  for (std::size_t i = 0; i < ref->parameters().size(); ++i) {
    CHECK(enc->parameters()[i].name == ref->parameters()[i].name);
    CHECK(enc->parameters()[i].variable.value() == ref->parameters()[i].variable.value());  // same draws
  }
  p.set("arch", std::string("conv"));
  p.set("channels", std::vector<std::int64_t>{4});
  spec = NetworkSpec::from(p);
  auto conv = make_decoder<float>(spec, 10, {1, 28, 28}, a);
  CHECK(conv->forward(Var(zeros<float>({2, 10}))).shape() == Shape{2, 784});
  CHECK(names(*conv).front() == "fc/W");
}

TEST_CASE("builders: conv stacks refuse non-image data and sizes they cannot halve") {
  Rng rng(5, "init");
  CHECK_THROWS_WITH_AS(make_conv_encoder<float>({2}, {8}, "relu", false, rng),
                       doctest::Contains("needs image samples (C, H, W); got sample shape (2,)"), ConfigError);
  // 28 -> 14 -> 7 -> odd: a third stride-2 layer does not fit 28x28 images
  CHECK_THROWS_WITH_AS(make_conv_decoder<float>(4, {1, 28, 28}, {8, 16, 32}, "relu", false, rng),
                       doctest::Contains("layer 3 would halve an odd size 7x7"), ConfigError);
  CHECK_THROWS_AS(conv_feature_size({1, 28, 28}, {}), ConfigError);
}

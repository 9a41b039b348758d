// The two reference networks of the benchmark and the determinism tests: the VAE-shaped MLP
// (784-400-(20,20)-400-784) and the DCGAN-shaped conv stack. Header-only so that tests and
// genlab-bench train exactly the same thing. It does not time anything.
#pragma once
#include <memory>

#include "genlab/builders.hpp"
#include "genlab/optim.hpp"

namespace genlab::bench {

// VAE step: x: (B, 784) -> mu, logvar: (B, 20) -> z -> logits (B, 784); summed BCE + KL, Adam.
struct VaeMlp {
  std::unique_ptr<Sequential<float>> encoder, decoder;
  std::unique_ptr<Optimizer<float>> optimizer;
  Rng noise;

  explicit VaeMlp(std::uint64_t seed) : noise(seed, "noise") {
    Rng init(seed, "init");
    encoder = make_mlp<float>({784, 400, 40}, "relu", init);
    decoder = make_mlp<float>({20, 400, 784}, "relu", init);
    auto params = encoder->parameters("encoder/");
    for (auto& p : decoder->parameters("decoder/")) params.push_back(p);
    optimizer = make_adam<float>(params, AdamOptions{});
  }

  float step(const Tensor<float>& batch) {
    const Var x(batch);
    const Var h = (*encoder)(x);
    const Var mu = slice(h, 1, 0, 20), logvar = slice(h, 1, 20, 40);
    const Var eps(noise.normal_tensor<float>(mu.shape(), 0.f, 1.f));
    const Var logits = (*decoder)(mu + exp(logvar * 0.5f) * eps);
    const float inv_b = 1.f / static_cast<float>(batch.shape()[0]);
    const Var loss = (bce_with_logits(logits, x, Reduction::Sum) + gaussian_kl(mu, logvar, Reduction::Sum)) * inv_b;
    optimizer->zero_grad();
    loss.backward();
    optimizer->step();
    return loss.item();
  }

  // 2 * B * sum(in * out) over the four gemms of the forward pass
  static double forward_flops(std::size_t batch) {
    return 2.0 * static_cast<double>(batch) * (784.0 * 400 + 400.0 * 40 + 20.0 * 400 + 400.0 * 784);
  }
};

// DCGAN-shaped stack at 28x28. D: (B,1,28,28) -> conv 64 k4 s2 p1 -> (B,64,14,14) -> lrelu ->
// conv 128 k4 s2 p1 -> (B,128,7,7) -> lrelu -> linear 1. G: z (B,64) -> linear 128*7*7 -> BN ->
// relu -> convT 64 k4 s2 p1 -> (B,64,14,14) -> BN -> relu -> convT 1 k4 s2 p1 -> (B,1,28,28) -> sigmoid.
struct DcganConv {
  Sequential<float> d, g;
  std::unique_ptr<Optimizer<float>> opt_d, opt_g;
  Rng noise;
  static constexpr std::size_t kLatent = 64;

  explicit DcganConv(std::uint64_t seed) : noise(seed, "noise") {
    Rng init(seed, "init");
    const Conv2dGeometry s2p1{2, 1, 0};
    d.add("conv1", std::make_unique<Conv2d<float>>(1, 64, 4, s2p1, init))
        .add("act1", make_activation<float>("leaky_relu"))
        .add("conv2", std::make_unique<Conv2d<float>>(64, 128, 4, s2p1, init))
        .add("act2", make_activation<float>("leaky_relu"))
        .add("flat", std::make_unique<Reshape<float>>(Shape{128 * 7 * 7}))
        .add("fc", std::make_unique<Linear<float>>(128 * 7 * 7, 1, init));
    g.add("fc", std::make_unique<Linear<float>>(kLatent, 128 * 7 * 7, init))
        .add("bn0", std::make_unique<BatchNorm<float>>(128 * 7 * 7))
        .add("act0", make_activation<float>("relu"))
        .add("unflat", std::make_unique<Reshape<float>>(Shape{128, 7, 7}))
        .add("deconv1", std::make_unique<ConvTranspose2d<float>>(128, 64, 4, s2p1, init))
        .add("bn1", std::make_unique<BatchNorm<float>>(64))
        .add("act1", make_activation<float>("relu"))
        .add("deconv2", std::make_unique<ConvTranspose2d<float>>(64, 1, 4, s2p1, init))
        .add("out", make_activation<float>("sigmoid"));
    opt_d = make_adam<float>(d.parameters("discriminator/"), AdamOptions{2e-4, 0.5});
    opt_g = make_adam<float>(g.parameters("generator/"), AdamOptions{2e-4, 0.5});
  }

  // One discriminator update on real + fake, then one generator update (non-saturating loss).
  float step(const Tensor<float>& real_images) {
    const std::size_t b = real_images.shape()[0];
    const Var real(real_images);  // (B, 1, 28, 28)
    const Var ones(full<float>({b, 1}, 1.f)), zeros_(full<float>({b, 1}, 0.f));
    Var fake = g(Var(noise.normal_tensor<float>({b, kLatent}, 0.f, 1.f)));
    const Var d_loss = bce_with_logits(d(real), ones) + bce_with_logits(d(fake.detach()), zeros_);
    opt_d->zero_grad();
    d_loss.backward();
    opt_d->step();
    const Var g_loss = bce_with_logits(d(fake), ones);
    opt_g->zero_grad();
    opt_d->zero_grad();
    g_loss.backward();
    opt_g->step();
    return d_loss.item() + g_loss.item();
  }

  // Forward FLOPs of the convolutions and linear layers run in one step: D runs three times
  // (real, fake for D, fake for G), G once.
  static double forward_flops(std::size_t batch) {
    const double b = static_cast<double>(batch);
    const double d_flops = 2 * b * (64.0 * 14 * 14 * 1 * 16 + 128.0 * 7 * 7 * 64 * 16 + 128.0 * 7 * 7);
    const double g_flops = 2 * b * (kLatent * 128.0 * 7 * 7 + 64.0 * 7 * 7 * 128 * 16 + 1.0 * 14 * 14 * 64 * 16);
    return 3 * d_flops + g_flops;
  }
};

}  // namespace genlab::bench

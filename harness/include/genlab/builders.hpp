// Network builders from configuration values, so plugins stay short: an MLP from a list of
// layer sizes and an activation name, the k4 s2 p1 conv encoder / transposed-conv decoder stacks
// for images, and the architecture hyper-parameters autoencoder-style plugins share.
// They do not choose sizes or wire conditioning: the plugin's schema and code do.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "genlab/nn.hpp"
#include "genlab/params.hpp"

namespace genlab {

// sizes = {in, h1, ..., out}: Linear layers "fc1", "fc2", ... with `activation` between them
// (none after the last). x: (B, sizes.front()) -> (B, sizes.back())
template <class T>
std::unique_ptr<Sequential<T>> make_mlp(const std::vector<std::size_t>& sizes,
                                        const std::string& activation, Rng& rng,
                                        InitSpec init = {});

// {a, b..., z}: convenience for building `sizes` from an int list parameter.
std::vector<std::size_t> layer_sizes(std::size_t in, const std::vector<std::int64_t>& hidden,
                                     std::size_t out);

// ---- conv stacks: one conv (kernel 4, stride 2, padding 1) per entry of `channels`, each
// halving H and W (28 -> 14 -> 7); H and W must stay even at every halving (ConfigError). ----

// Per-sample feature size after the conv stack: channels.back() * (H / 2^n) * (W / 2^n).
std::size_t conv_feature_size(const Shape& sample_shape, const std::vector<std::size_t>& channels);

// x: (B, C*H*W) -> (B, F) features, F = conv_feature_size(): layers "reshape", "conv1",
// ["bn1"], "act1", "conv2", ..., "flatten". With out > 0 a Linear "fc" to (B, out) follows.
// sample_shape = {C, H, W}.
template <class T>
std::unique_ptr<Sequential<T>> make_conv_encoder(const Shape& sample_shape,
                                                 const std::vector<std::size_t>& channels,
                                                 const std::string& activation, bool batch_norm,
                                                 Rng& rng, std::size_t out = 0);

// z: (B, in) -> logits (B, C*H*W), the encoder's mirror: Linear "fc" to (channels.back(),
// H/2^n, W/2^n), activation, "reshape", then one transposed conv (k4 s2 p1) per entry of
// `channels` in reverse, "deconv1".., with ["bn<i>"] and activation between them; the last
// outputs C channels with no activation; "flatten".
template <class T>
std::unique_ptr<Sequential<T>> make_conv_decoder(std::size_t in, const Shape& sample_shape,
                                                 const std::vector<std::size_t>& channels,
                                                 const std::string& activation, bool batch_norm,
                                                 Rng& rng);

// ---- DCGAN (Radford et al. 2016), the small 28x28 variant; weights N(0, 0.02), batch-norm
// gamma N(1, 0.02) and beta 0 (the DCGAN init); biases keep PyTorch's default. H, W % 4 == 0. ----

// z: (B, in) -> (B, C*H*W) in (-1, 1): Linear "fc" to 128 (H/4) (W/4), "bn0", "act0" ReLU,
// "reshape", "deconv1" 128 -> 64 (k4 s2 p1), "bn1", "act1", "deconv2" 64 -> C, "tanh", "flatten".
template <class T>
std::unique_ptr<Sequential<T>> make_dcgan_generator(std::size_t in, const Shape& sample_shape, Rng& rng);

// x: (B, pack*C*H*W) -> (B, 1) raw scores: "reshape" to (pack*C, H, W) (PacGAN: packed samples
// as channels), "conv1" -> 64 (k4 s2 p1), "act1" LeakyReLU 0.2, "conv2" 64 -> 128, "act2",
// "flatten", "fc" -> 1. No batch norm (so packing and per-example scores stay independent).
template <class T>
std::unique_ptr<Sequential<T>> make_dcgan_discriminator(const Shape& sample_shape, std::size_t pack, Rng& rng);

// ---- the architecture keys shared by ae, vae, cvae ----

// Schema entries: arch ("mlp" | "conv"), hidden, channels, activation, batch_norm.
Schema network_schema();

// Their resolved values.
struct NetworkSpec {
  std::string arch = "mlp";          // "mlp" | "conv"
  std::vector<std::int64_t> hidden;  // mlp: encoder hidden sizes (the decoder mirrors them)
  std::vector<std::size_t> channels; // conv: encoder channels (the decoder mirrors them)
  std::string activation = "relu";
  bool batch_norm = false;           // conv only: batch norm after every hidden conv
  static NetworkSpec from(const Params& params);
  bool conv() const { return arch == "conv"; }
};

// x: (B, D) -> (B, out). mlp: D -> hidden... -> out; conv: conv stack -> Linear -> out.
template <class T>
std::unique_ptr<Sequential<T>> make_encoder(const NetworkSpec& spec, const Shape& sample_shape,
                                            std::size_t out, Rng& rng);
// z: (B, in) -> logits (B, D). mlp: in -> reversed hidden... -> D; conv: make_conv_decoder.
template <class T>
std::unique_ptr<Sequential<T>> make_decoder(const NetworkSpec& spec, std::size_t in,
                                            const Shape& sample_shape, Rng& rng);

}  // namespace genlab

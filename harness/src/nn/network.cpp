// The architecture hyper-parameters autoencoder-style plugins share (arch, hidden, channels,
// activation, batch_norm) and the encoder/decoder they select: an MLP or a conv stack.
// It does not know about latent distributions or labels: plugins size `out`/`in` for those.
#include "core/instantiate.hpp"
#include "genlab/builders.hpp"
#include "genlab/error.hpp"

namespace genlab {

Schema network_schema() {
  return {
      string_param("arch", "mlp", "encoder/decoder architecture: mlp (hidden) or conv (channels; images only)")
          .one_of({"mlp", "conv"}),
      int_list_param("hidden", {400}, "mlp: hidden layer sizes of the encoder (the decoder mirrors them)")
          .at_least(1).at_most(65536),
      int_list_param("channels", {32, 64},
                     "conv: channels of the encoder's k4 s2 p1 convs (28->14->7), mirrored by the decoder's transposed convs")
          .at_least(1).at_most(4096),
      string_param("activation", "relu", "hidden activation")
          .one_of({"relu", "leaky_relu", "tanh", "sigmoid", "softplus"}),
      bool_param("batch_norm", false, "conv: batch norm after every hidden conv / transposed conv"),
  };
}

NetworkSpec NetworkSpec::from(const Params& params) {
  NetworkSpec s;
  s.arch = params.get_string("arch");
  s.hidden = params.get_int_list("hidden");
  for (auto c : params.get_int_list("channels")) {
    if (c <= 0) throw ConfigError("model.channels entries must be positive (got " + std::to_string(c) + ")");
    s.channels.push_back(static_cast<std::size_t>(c));
  }
  s.activation = params.get_string("activation");
  s.batch_norm = params.get_bool("batch_norm");
  if (s.arch != "mlp" && s.arch != "conv") {
    throw ConfigError("model.arch must be \"mlp\" or \"conv\" (got \"" + s.arch + "\")");
  }
  return s;
}

template <class T>
std::unique_ptr<Sequential<T>> make_encoder(const NetworkSpec& spec, const Shape& sample_shape,
                                            std::size_t out, Rng& rng) {
  if (spec.conv()) return make_conv_encoder<T>(sample_shape, spec.channels, spec.activation, spec.batch_norm, rng, out);
  return make_mlp<T>(layer_sizes(shape_size(sample_shape), spec.hidden, out), spec.activation, rng);
}

template <class T>
std::unique_ptr<Sequential<T>> make_decoder(const NetworkSpec& spec, std::size_t in,
                                            const Shape& sample_shape, Rng& rng) {
  if (spec.conv()) return make_conv_decoder<T>(in, sample_shape, spec.channels, spec.activation, spec.batch_norm, rng);
  const std::vector<std::int64_t> reversed(spec.hidden.rbegin(), spec.hidden.rend());
  return make_mlp<T>(layer_sizes(in, reversed, shape_size(sample_shape)), spec.activation, rng);
}

#define GENLAB_INSTANTIATE_NETWORK(T)                                                         \
  template std::unique_ptr<Sequential<T>> make_encoder<T>(const NetworkSpec&, const Shape&,  \
                                                          std::size_t, Rng&);               \
  template std::unique_ptr<Sequential<T>> make_decoder<T>(const NetworkSpec&, std::size_t,   \
                                                          const Shape&, Rng&);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE_NETWORK)

}  // namespace genlab

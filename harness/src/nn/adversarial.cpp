// GAN losses and PacGAN packing from existing ops (bce_with_logits, square, relu, mean,
// reshape): their gradients are those ops' gradients, checked in tests/unit/test_adversarial.cpp.
#include "genlab/adversarial.hpp"

#include "core/instantiate.hpp"
#include "genlab/error.hpp"

namespace genlab {

namespace {
template <class T>
Variable<T> flat(const Variable<T>& x) {
  return reshape(x, Shape{x.value().size()});
}
template <class T>
Variable<T> filled(const Variable<T>& like, T value) {
  return Variable<T>(full<T>(Shape{like.value().size()}, value));
}
}  // namespace

GanLoss gan_loss_from(const std::string& name) {
  if (name == "minimax") return GanLoss::Minimax;
  if (name == "non_saturating") return GanLoss::NonSaturating;
  if (name == "lsgan") return GanLoss::LeastSquares;
  if (name == "hinge") return GanLoss::Hinge;
  throw ConfigError("unknown GAN loss '" + name + "' (choices: minimax, non_saturating, lsgan, hinge)");
}

const char* gan_loss_name(GanLoss loss) {
  switch (loss) {
    case GanLoss::Minimax: return "minimax";
    case GanLoss::NonSaturating: return "non_saturating";
    case GanLoss::LeastSquares: return "lsgan";
    case GanLoss::Hinge: return "hinge";
  }
  return "?";
}

template <class T>
Variable<T> discriminator_loss(GanLoss loss, const Variable<T>& real_raw, const Variable<T>& fake_raw, T smoothing) {
  if (!(smoothing >= T(0) && smoothing < T(1))) {
    throw ConfigError("label smoothing must be in [0, 1) (got " + std::to_string(smoothing) + ")");
  }
  const Variable<T> real = flat(real_raw), fake = flat(fake_raw);
  const T target = T(1) - smoothing;
  switch (loss) {
    case GanLoss::Minimax:
    case GanLoss::NonSaturating:
      return bce_with_logits(real, filled(real, target), Reduction::Mean) +
             bce_with_logits(fake, filled(fake, T(0)), Reduction::Mean);
    case GanLoss::LeastSquares:
      return mean(square(real - target)) * T(0.5) + mean(square(fake)) * T(0.5);
    case GanLoss::Hinge:
      if (smoothing != T(0)) throw ConfigError("label smoothing does not apply to the hinge loss (set it to 0)");
      return mean(relu(T(1) - real)) + mean(relu(fake + T(1)));
  }
  throw ConfigError("unknown GAN loss");
}

template <class T>
Variable<T> generator_loss(GanLoss loss, const Variable<T>& fake_raw) {
  const Variable<T> fake = flat(fake_raw);
  switch (loss) {
    case GanLoss::Minimax: return -bce_with_logits(fake, filled(fake, T(0)), Reduction::Mean);
    case GanLoss::NonSaturating: return bce_with_logits(fake, filled(fake, T(1)), Reduction::Mean);
    case GanLoss::LeastSquares: return mean(square(fake - T(1))) * T(0.5);
    case GanLoss::Hinge: return -mean(fake);
  }
  throw ConfigError("unknown GAN loss");
}

template <class T>
Variable<T> decision_score(GanLoss loss, const Variable<T>& raw) {
  return loss == GanLoss::LeastSquares ? raw - T(0.5) : raw;
}

template <class T>
Variable<T> pack_rows(const Variable<T>& x, std::size_t m) {
  const Shape s = x.shape();
  if (s.size() != 2 || m == 0 || s[0] % m != 0) {
    throw ShapeError("pack_rows: cannot pack " + shape_str(s) + " into groups of " + std::to_string(m) +
                     " rows (needs (B, D) with B divisible by the pack size)");
  }
  if (m == 1) return x;
  return reshape(x, Shape{s[0] / m, m * s[1]});
}

#define GENLAB_INSTANTIATE_ADVERSARIAL(T)                                                          \
  template Variable<T> discriminator_loss<T>(GanLoss, const Variable<T>&, const Variable<T>&, T); \
  template Variable<T> generator_loss<T>(GanLoss, const Variable<T>&);                           \
  template Variable<T> decision_score<T>(GanLoss, const Variable<T>&);                           \
  template Variable<T> pack_rows<T>(const Variable<T>&, std::size_t);
GENLAB_INSTANTIATE_FLOAT_DOUBLE(GENLAB_INSTANTIATE_ADVERSARIAL)

}  // namespace genlab

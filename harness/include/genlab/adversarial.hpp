// The adversarial losses of the GAN family as compositions of existing autograd ops (no new op,
// so no backward of their own): minimax and non-saturating (Goodfellow et al. 2014), least
// squares (Mao et al. 2017, targets 0 / 1) and hinge (Lim & Ye 2017; Miyato et al. 2018), with
// one-sided label smoothing (Salimans et al. 2016), and PacGAN's packing (Lin et al. 2018).
// It does not build networks or step optimizers: plugins do.
#pragma once
#include <string>

#include "genlab/ops.hpp"

namespace genlab {

enum class GanLoss { Minimax, NonSaturating, LeastSquares, Hinge };

// "minimax" | "non_saturating" | "lsgan" | "hinge"; ConfigError naming the choices otherwise.
GanLoss gan_loss_from(const std::string& name);
const char* gan_loss_name(GanLoss loss);

// real, fake: the discriminator's raw outputs (B,) or (B, 1) -> scalar, mean over each batch:
//   minimax / non_saturating: BCE(real, t) + BCE(fake, 0) with logits, t = 1 - smoothing
//   lsgan:                    0.5 mean((real - t)^2) + 0.5 mean(fake^2)
//   hinge:                    mean(relu(1 - real)) + mean(relu(1 + fake)) (smoothing must be 0)
// smoothing in [0, 1): one-sided label smoothing of the real target only. ConfigError for
// hinge with smoothing > 0.
template <class T>
Variable<T> discriminator_loss(GanLoss loss, const Variable<T>& real, const Variable<T>& fake, T smoothing = T(0));

// fake: the discriminator's raw outputs on generated samples -> scalar, mean over the batch:
//   minimax:        -BCE(fake, 0) = mean log(1 - D(G(z)))   (the saturating original)
//   non_saturating: BCE(fake, 1)  = -mean log D(G(z))
//   lsgan:          0.5 mean((fake - 1)^2)
//   hinge:          -mean(fake)
template <class T>
Variable<T> generator_loss(GanLoss loss, const Variable<T>& fake);

// The raw output as a decision score whose sign is the discriminator's verdict (> 0 = real):
// the logit itself, except for lsgan (targets 0 / 1), whose boundary is 0.5: raw - 0.5.
template <class T>
Variable<T> decision_score(GanLoss loss, const Variable<T>& raw);

// PacGAN packing: x (B, D) -> (B / m, m * D), packed row j = rows j*m .. j*m+m-1 side by side
// (row-major reshape, so the gradient flows back to every row). ShapeError unless m divides B.
template <class T>
Variable<T> pack_rows(const Variable<T>& x, std::size_t m);

}  // namespace genlab

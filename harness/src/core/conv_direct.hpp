// Direct stride-1 convolution kernels for convolutions with very few channels (CycleGAN's 7x7
// layers 1 -> g and g -> 1, PatchGAN's last layer): where im2col would copy every input pixel k*k
// times for a gemm with 1-4 output rows, these loop over the kernel taps on zero-padded planes.
// Internal to ops_conv.cpp. They do not check shapes (conv2d has) and know no other stride.
#pragma once
#include <cstddef>

namespace genlab::detail {

// x (B, Cin, H, W) padded by `pad` on every side: xp (B, Cin, Hp, Wp), Hp = H + 2 pad, plus k + 16
// zeros after the last plane; w (Cout, Cin, k, k); y (B, Cout, Ho, Wo), Ho = Hp - k + 1.
// The kernels run each tap over a whole plane as one loop: output rows computed Wp wide (an
// "extended" plane (Ho, Wp) whose last Wp - Wo columns are discarded, or zero where read).
struct DirectConv {
  std::size_t batch, cin, cout, h, w, k, pad;
  std::size_t hp() const { return h + 2 * pad; }
  std::size_t wp() const { return w + 2 * pad; }
  std::size_t ho() const { return hp() - k + 1; }
  std::size_t wo() const { return wp() - k + 1; }
  // An extended plane's length, (Ho * Wp) rounded up to 16 (a whole number of vector lanes).
  std::size_t ext() const { return (ho() * wp() + 15) / 16 * 16; }
  std::size_t padded_size() const { return batch * cin * hp() * wp() + k + 16; }  // xp's elements
};

// The shapes conv2d computes directly (a rule on the shape alone, so every thread count takes the
// same path): stride 1 and at most 16 (input, output) channel pairs.
inline bool use_direct_conv(std::size_t cin, std::size_t cout, std::size_t stride) {
  return stride == 1 && cin * cout <= 16;
}

// xp (padded_size()) = x (B, Cin, H, W) with a zero border of `pad`, then k + 16 zeros.
template <class T>
void pad_planes(const T* x, const DirectConv& g, T* xp);

// y (B, Cout, Ho, Wo) = bias (Cout,) or 0, then + w[co, c, ki, kj] * xp[b, c, oh + ki, ow + kj]
// added tap by tap in (c, ki, kj) order.
template <class T>
void direct_conv_forward(const T* xp, const T* w, const T* bias, const DirectConv& g, T* y);

// dx (B, Cin, H, W) (+)= the adjoint in x of direct_conv_forward applied to dy (B, Cout, Ho, Wo):
// each padded pixel receives its taps in (co, ki, kj) order, then the border is cropped.
template <class T>
void direct_conv_backward_x(const T* dy, const T* w, const DirectConv& g, bool accumulate, T* dx);

// dw (Cout, Cin, k, k) = [dw +] sum over b, oh, ow of dy[b, co, oh, ow] * xp[b, c, oh + ki, ow + kj]:
// 16 float lanes per image, each image's lanes added into a double in image order.
template <class T>
void direct_conv_backward_w(const T* dy, const T* xp, const DirectConv& g, bool accumulate, T* dw);

}  // namespace genlab::detail

// The adversarial family's shared metrics as pure maths on given points and scores: PacGAN's
// mode coverage / high-quality share / reverse KL on 2-D mixtures (Lin et al. 2018), the
// discriminator's accuracy on real and fake examples, and the Parzen-window log-likelihood with
// its bandwidth chosen on validation points (Goodfellow et al. 2014). It draws no samples and
// calls no model: the evaluator does (run/adversarial_eval.cpp).
#pragma once
#include <cstddef>
#include <vector>

#include "genlab/mixtures.hpp"
#include "genlab/tensor.hpp"

namespace genlab {

// ---- mode coverage (Lin et al. 2018, "PacGAN", Sec. 5.1; the VEEGAN protocol) ----
struct ModeCoverage {
  std::size_t modes = 0;            // means with at least one high-quality sample
  double high_quality = 0;          // fraction of samples that are high quality, in [0, 1]
  double reverse_kl = 0;            // KL(p_hq || uniform over the K modes), nats
  std::vector<std::size_t> counts;  // (K) high-quality samples per mode
  std::size_t n = 0;                // samples scored
};
// samples: (N, 2). A sample is high quality when its Euclidean distance to the nearest mean,
// in units of the mixture's standard deviation (each coordinate standardised), is < 3. p_hq is
// the histogram of the high-quality samples over their nearest modes; reverse_kl = sum_k p_k
// log(p_k K) (0 log 0 = 0), from 0 (uniform) to log K (one mode). With no high-quality sample
// p_hq is undefined and reverse_kl is reported as log K, the value of a single-mode generator.
// Throws ShapeError unless samples is (N, 2) with N >= 1.
ModeCoverage mode_coverage(const Tensor<float>& samples, const Mixture2d& mixture);

// ---- discriminator accuracy ----
struct DiscriminatorAccuracy {
  double real = 0;        // fraction of real examples with score > 0 (ties count 1/2)
  double fake = 0;        // fraction of fake examples with score < 0 (ties count 1/2)
  double balanced = 0;    // (real + fake) / 2: 0.5 for any constant discriminator
  double real_score = 0;  // mean score on real examples
  double fake_score = 0;  // mean score on fake examples
};
// Scores are the discriminator's decision scores (> 0 = "real", e.g. logits). Throws ShapeError
// if either set is empty.
DiscriminatorAccuracy discriminator_accuracy(const std::vector<float>& real_scores,
                                             const std::vector<float>& fake_scores);

// ---- Parzen-window log-likelihood (Goodfellow et al. 2014; Breuleux et al. 2011) ----
// Mean over the rows x of points of log p(x), p = (1/N) sum_i N(x; centres_i, sigma^2 I):
// logsumexp_i(-|x - c_i|^2 / (2 sigma^2)) - log N - (D/2) log(2 pi sigma^2), nats per example,
// computed in double from gemm distances. centres: (N, D), points: (M, D).
double parzen_log_likelihood(const Tensor<float>& centres, const Tensor<float>& points, double sigma);
// Same for several bandwidths at once (the distances are computed once): one value per sigma.
std::vector<double> parzen_log_likelihoods(const Tensor<float>& centres, const Tensor<float>& points,
                                           const std::vector<double>& sigmas);

struct ParzenResult {
  double sigma = 0;                  // the bandwidth with the highest validation likelihood
  double validation_ll = 0;          // at sigma
  double test_ll = 0;                // mean log-likelihood of the test points at sigma
  std::vector<double> sigmas, validation_lls;  // the whole search
};
// Picks sigma from `sigmas` by the validation points' likelihood (the first of equal maxima),
// then evaluates the test points. Throws ShapeError on empty sets or differing D.
ParzenResult parzen_select_and_evaluate(const Tensor<float>& centres, const Tensor<float>& validation,
                                        const Tensor<float>& test, const std::vector<double>& sigmas);
// The bandwidth grid the harness searches: 10^(k/8) for k = -24..8 (0.001 to 10, 33 values).
std::vector<double> parzen_sigma_grid();

}  // namespace genlab

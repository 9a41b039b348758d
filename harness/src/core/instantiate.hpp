// Explicit instantiation of a templated op for the two scalar types genlab builds:
// float (training) and double (gradient checks). Internal to libgenlab.
#pragma once

#define GENLAB_INSTANTIATE_FLOAT_DOUBLE(MACRO) \
  MACRO(float)                                 \
  MACRO(double)

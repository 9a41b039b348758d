// The doctest entry point shared by every test suite. Tests live in unit/, plugins/, integration/.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

// Hyper-parameter schemas and values (params.hpp) and the key suggestion used in every
// "did you mean" message.
#include <doctest/doctest.h>

#include "genlab/error.hpp"
#include "genlab/params.hpp"
#include "genlab/spec.hpp"

using namespace genlab;

TEST_CASE("params: builders and refinements fill the schema entry") {
  const ParamSpec beta = float_param("beta", 1.0, "KL weight").greater_than(0).at_most(10);
  CHECK(beta.name == "beta");
  CHECK(beta.type == ParamType::Float);
  CHECK(std::get<double>(beta.default_value) == 1.0);
  CHECK(*beta.min == 0.0);
  CHECK(beta.min_exclusive);
  CHECK(*beta.max == 10.0);
  CHECK_FALSE(beta.max_exclusive);
  CHECK(param_range_str(beta) == "> 0 and <= 10");
  CHECK(param_range_str(int_param("n", 3, "").at_least(1)) == ">= 1");
  CHECK(param_range_str(int_param("n", 3, "")).empty());
  const ParamSpec act = string_param("act", "relu", "").one_of({"relu", "tanh"});
  CHECK(act.choices == std::vector<std::string>{"relu", "tanh"});
  CHECK(std::get<std::string>(act.default_value) == "relu");
  CHECK(int_list_param("h", {1, 2}, "").type == ParamType::IntList);
  CHECK(float_list_param("w", {0.5}, "").type == ParamType::FloatList);
  CHECK(bool_param("b", true, "").type == ParamType::Bool);
  const Schema schema = {beta, act};
  CHECK(find_param(schema, "act") == &schema[1]);
  CHECK(find_param(schema, "nope") == nullptr);
}

TEST_CASE("params: values print as TOML") {
  CHECK(param_value_str(ParamValue(true)) == "true");
  CHECK(param_value_str(ParamValue(std::int64_t{-3})) == "-3");
  CHECK(param_value_str(ParamValue(2.0)) == "2.0");
  CHECK(param_value_str(ParamValue(0.1)) == "0.1");
  CHECK(param_value_str(ParamValue(std::string("a\"b"))) == "\"a\\\"b\"");
  CHECK(param_value_str(ParamValue(std::vector<std::int64_t>{400, 200})) == "[400, 200]");
  CHECK(param_value_str(ParamValue(std::vector<double>{0.5, 1.0})) == "[0.5, 1.0]");
  CHECK(std::string(param_type_name(ParamType::IntList)) == "int list");
}

TEST_CASE("params: defaults fill what was not given, getters check the type") {
  const Schema schema = {float_param("beta", 1.0, ""), int_param("latent", 10, ""),
                         int_list_param("hidden", {400}, ""), string_param("act", "relu", ""),
                         bool_param("bn", false, "")};
  const Params p = Params::with_defaults(schema, {{"latent", std::int64_t{2}}});
  CHECK(p.get_int("latent") == 2);
  CHECK(p.get_float("beta") == 1.0);
  CHECK(p.get_float("latent") == 2.0);  // an int is read as a float
  CHECK(p.get_int_list("hidden") == std::vector<std::int64_t>{400});
  CHECK(p.get_float_list("hidden") == std::vector<double>{400.0});
  CHECK(p.get_string("act") == "relu");
  CHECK_FALSE(p.get_bool("bn"));
  CHECK_THROWS_WITH_AS(p.get_int("beta"),
                       doctest::Contains("hyper-parameter 'beta' is float 1.0, not an int"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(p.get_string("hidden"), doctest::Contains("'hidden' is int list [400], not a string"),
                       ConfigError);
  CHECK_THROWS_WITH_AS(p.get_bool("latnet"), doctest::Contains("hyper-parameter 'latnet' is not set"),
                       ConfigError);
}

TEST_CASE("nearest_key: plausible typos only") {
  const std::vector<std::string> keys = {"model.beta", "model.latent_dim", "model.hidden"};
  CHECK(nearest_key("model.betta", keys) == "model.beta");
  CHECK(nearest_key("model.latnet_dim", keys) == "model.latent_dim");  // a swap costs 1
  CHECK(nearest_key("model.hiden", keys) == "model.hidden");
  CHECK(nearest_key("model.dropout", keys).empty());
  CHECK(nearest_key("x", {"y", "lr"}) == "y");
  CHECK(nearest_key("anything", {}).empty());
}

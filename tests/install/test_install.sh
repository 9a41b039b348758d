#!/usr/bin/env bash
# The install acceptance test: installs this build into a temporary prefix and, as a plugin
# author would, with only that prefix and find_package(genlab): scaffolds a plugin
# (genlab new-plugin, from vae and from gan), builds them and examples/wae_mmd out of tree under -Wall -Wextra
# -Wpedantic -Werror with genlab's headers not treated as system headers, runs the installed
# `genlab test-plugin` on each (every check must pass), lists them via GENLAB_PLUGIN_PATH and
# trains the example for a few steps with the installed genlab. Usage: test_install.sh BUILD SRC
set -euo pipefail
build=$1
src=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/genlab-install-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$SECONDS
step() { echo "== [$((SECONDS - start)) s] $*"; }

step "cmake --install into $work/prefix"
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
prefix=$work/prefix
genlab=$prefix/bin/genlab
for f in lib/libgenlab.so include/genlab/model.hpp include/genlab/plugin.hpp include/genlab/sdk_version.hpp \
         lib/cmake/genlab/genlabConfig.cmake lib/cmake/genlab/genlabConfigVersion.cmake \
         lib/cmake/genlab/GenlabPlugin.cmake lib/genlab/plugins/libgenlab_vae.so; do
  [[ -e $prefix/$f ]] || { echo "FAIL: $f not installed"; exit 1; }
done
for f in include/genlab/runner.hpp include/genlab/loader.hpp include/genlab/spec.hpp; do
  [[ ! -e $prefix/$f ]] || { echo "FAIL: host header $f installed"; exit 1; }
done

step "the installed genlab starts (RPATH) and finds its plugins beside itself, not in the build tree"
"$genlab" --version
plugins=$(env -u GENLAB_PLUGIN_PATH "$genlab" plugins)
grep -q "file: $prefix/lib/genlab/plugins/libgenlab_vae.so" <<< "$plugins" ||
  { echo "FAIL: vae not found in the prefix:"; grep "file:" <<< "$plugins"; exit 1; }
if grep -q "file: $build" <<< "$plugins"; then echo "FAIL: the installed genlab uses the build tree"; exit 1; fi

step "genlab new-plugin mywae --from vae; mygan --from gan"
"$genlab" new-plugin mywae --from vae --dir "$work/mywae"
"$genlab" new-plugin mygan --from gan --dir "$work/mygan"

step "docs/WRITING_A_PLUGIN.md: its cpp and cmake blocks, extracted"
mkdir -p "$work/doc/mymodel"
awk '/^```cpp$/ {on = 1; next} /^```$/ {on = 0} on' "$src/docs/WRITING_A_PLUGIN.md" > "$work/doc/mymodel/mymodel.cpp"
awk '/^```cmake$/ {on = 1; next} /^```$/ {on = 0} on' "$src/docs/WRITING_A_PLUGIN.md" > "$work/doc/mymodel/CMakeLists.txt"
[[ $(grep -c '^```cpp$' "$src/docs/WRITING_A_PLUGIN.md") == 1 && $(grep -c '^```cmake$' "$src/docs/WRITING_A_PLUGIN.md") == 1 ]] ||
  { echo "FAIL: WRITING_A_PLUGIN.md must have exactly one cpp and one cmake block (this test builds them as one plugin)"; exit 1; }

for project in "$work/mywae" "$work/mygan" "$src/examples/wae_mmd" "$work/doc/mymodel"; do
  name=$(basename "$project")
  step "build $name out of tree with only find_package(genlab)"
  cmake -S "$project" -B "$work/build-$name" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_FLAGS="-Wall -Wextra -Wpedantic -Werror" -DCMAKE_NO_SYSTEM_FROM_IMPORTED=ON > "$work/$name-configure.log" ||
    { cat "$work/$name-configure.log"; exit 1; }
  cmake --build "$work/build-$name" -j2
  so=$work/build-$name/libgenlab_$name.so
  [[ -f $so ]] || { echo "FAIL: $so not built"; exit 1; }
  step "installed genlab test-plugin $so"
  "$genlab" test-plugin "$so"
done

step "listed through GENLAB_PLUGIN_PATH; a few training steps with the installed genlab"
listed=$(GENLAB_PLUGIN_PATH="$work/build-wae_mmd:$work/build-mywae" "$genlab" plugins)
grep -q "^wae_mmd 1.0.0" <<< "$listed" && grep -q "^mywae 0.1.0" <<< "$listed" ||
  { echo "FAIL: GENLAB_PLUGIN_PATH plugins not listed"; echo "$listed" | grep -v "^|"; exit 1; }
GENLAB_PLUGIN_PATH="$work/build-wae_mmd" "$genlab" run "$src/examples/wae_mmd/smoke.toml" --no-progress \
  --set "experiment.output=\"$work/results\"" --set train.epochs=0 --set train.steps=8 \
  --set eval.every_epochs=0 --set eval.every_steps=8 | tee "$work/run.log"
grep -q "1 runs: 1 finished" "$work/run.log"
ls "$work"/results/smoke_wae_mmd/*.h5 > /dev/null
step "all passed"

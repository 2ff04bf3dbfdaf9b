"""evergreen_fuzz_test: one libFuzzer target, replayed in every test run.

    load("//tests/fuzz:fuzz.bzl", "evergreen_fuzz_test")
    evergreen_fuzz_test(
        name = "frame_fuzz",
        srcs = ["frame_fuzz.cc"],     # defines LLVMFuzzerTestOneInput only
        deps = ["//proto:frame"],
        corpus = glob(["corpus/frame/**"]),
    )

makes two targets:
  :frame_fuzz         a cc_test (the normal toolchain) that feeds the corpus
                      and deterministic mutations of it to the target, so
                      `./dev test` and `./dev test --asan` exercise the
                      decoder on every run;
  :frame_fuzz_fuzzer  the libFuzzer binary, tagged manual; `./dev fuzz`
                      builds it with clang and --config=fuzz in an output
                      base of its own and runs it.
"""

def evergreen_fuzz_test(name, srcs, deps = [], corpus = [], size = "small", **kwargs):
    native.cc_test(
        name = name,
        size = size,
        srcs = srcs,
        deps = deps + ["//tests/fuzz:replay_main"],
        data = corpus,
        args = ["$(rootpath %s)" % f for f in corpus],
        **kwargs
    )
    native.cc_binary(
        name = name + "_fuzzer",
        testonly = True,
        srcs = srcs,
        deps = deps,
        data = corpus,
        tags = ["manual", "fuzz"],
        **kwargs
    )

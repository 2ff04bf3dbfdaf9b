"""evergreen_proto_library: one rule from a .proto to messages + services.

    load("//proto:defs.bzl", "evergreen_proto_library")
    evergreen_proto_library(name = "kv_proto", srcs = ["kv.proto"])

runs the system protoc once over `srcs` with --cpp_out (messages,
foo.pb.h) and protoc-gen-evergreen (typed services, foo.evg.h), and wraps
the outputs in a cc_library named `name`. Include "path/to/foo.evg.h" for
the services (it includes foo.pb.h). `deps` are other
evergreen_proto_library targets whose .proto files `srcs` import.
"""

def _stem(src):
    if not src.endswith(".proto"):
        fail("evergreen_proto_library: %s is not a .proto file" % src)
    return src[:-len(".proto")]

def evergreen_protoc(name, srcs, deps = [], services = True, visibility = None, **kwargs):
    """The genrule + cc_library; services=False runs only --cpp_out."""
    stems = [_stem(s) for s in srcs]
    outs = [s + ".pb.h" for s in stems] + [s + ".pb.cc" for s in stems]
    if services:
        outs += [s + ".evg.h" for s in stems] + [s + ".evg.cc" for s in stems]

    # The .proto files of this target and of its deps, for imports.
    native.filegroup(
        name = name + "_protos",
        srcs = srcs + [d + "_protos" for d in deps],
        visibility = visibility,
    )
    plugin = "//proto/plugin:protoc-gen-evergreen"
    cmd = "protoc -I. --cpp_out=$(GENDIR)"
    tools = []
    if services:
        cmd += " --plugin=protoc-gen-evergreen=$(location %s)" % plugin
        cmd += " --evergreen_out=$(GENDIR)"
        tools = [plugin]
    cmd += " " + " ".join(["$(location %s)" % s for s in srcs])
    native.genrule(
        name = name + "_gen",
        srcs = srcs + [name + "_protos"],
        outs = outs,
        cmd = cmd,
        tools = tools,
        message = "protoc " + " ".join(srcs),
    )
    runtime = ["//actors/service:generated_runtime"] if services else []
    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        deps = deps + runtime + ["@system//:protobuf", "@system//:absl"],
        visibility = visibility,
        **kwargs
    )

def evergreen_proto_library(name, srcs, deps = [], visibility = None, **kwargs):
    """Messages and typed Evergreen services for `srcs` (see the file doc)."""
    evergreen_protoc(name, srcs, deps, services = True, visibility = visibility, **kwargs)

{
  "targets": [
    {
      "target_name": "sp_capture",
      "sources": [
        "addon/sp_addon.cc",
        "loader/sp_capture.c",
        "loader/sp_capture_bpf.c",
        "loader/sp_capture_kmod.c"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "include",
        "loader",
        "out"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17"],
      "libraries": ["-lbpf", "-lelf", "-lz"]
    }
  ]
}

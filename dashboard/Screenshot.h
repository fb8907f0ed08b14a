#pragma once
// Writes what the current OpenGL context has drawn into its back buffer as a PNG.
#include <string>

namespace awe {

// [main thread, with the window's context current, after rendering and before the swap]
// Reads the back buffer (width x height pixels) and writes it as an RGB PNG, top row first.
// Throws std::runtime_error naming the file when it cannot be written.
void writeBackBufferPng(const std::string& path, int width, int height);

}  // namespace awe

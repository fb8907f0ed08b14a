#include "dashboard/Screenshot.h"

#include <GL/gl.h>
// The implementation comes from Debian's libstb (linked through the imgui package).
#include <stb_image_write.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "monitor/report/OutputFile.h"

namespace awe {

void writeBackBufferPng(const std::string& path, int width, int height) {
  if (width <= 0 || height <= 0) throw std::runtime_error(path + ": the window has no pixels to write");
  const size_t rowBytes = static_cast<size_t>(width) * 3;
  std::vector<unsigned char> pixels(rowBytes * static_cast<size_t>(height));
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
  if (glGetError() != GL_NO_ERROR) throw std::runtime_error(path + ": glReadPixels failed");
  // OpenGL's first row is the bottom one; PNG starts at the top.
  std::vector<unsigned char> flipped(pixels.size());
  for (int y = 0; y < height; ++y) {
    const auto from = pixels.begin() + static_cast<std::ptrdiff_t>(rowBytes * static_cast<size_t>(height - 1 - y));
    std::copy(from, from + static_cast<std::ptrdiff_t>(rowBytes),
              flipped.begin() + static_cast<std::ptrdiff_t>(rowBytes * static_cast<size_t>(y)));
  }
  std::string png;
  const auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
  };
  if (stbi_write_png_to_func(append, &png, width, height, 3, flipped.data(), static_cast<int>(rowBytes)) == 0) {
    throw std::runtime_error(path + ": cannot encode the PNG");
  }
  writeFileAtomically(path, png);
}

}  // namespace awe

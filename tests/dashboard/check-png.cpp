// awe-test-check-png FILE WIDTH HEIGHT: exits 0 when FILE is a PNG of exactly WIDTH x HEIGHT
// pixels that is not blank (many distinct colours, a good part of it unlike the background).
#include <stb_image.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s FILE WIDTH HEIGHT\n", argv[0]);
    return 2;
  }
  const int wantWidth = std::atoi(argv[2]), wantHeight = std::atoi(argv[3]);
  int width = 0, height = 0, channels = 0;
  unsigned char* pixels = stbi_load(argv[1], &width, &height, &channels, 3);
  if (pixels == nullptr) {
    std::fprintf(stderr, "%s: cannot read %s: %s\n", argv[0], argv[1], stbi_failure_reason());
    return 1;
  }
  int status = 0;
  if (width != wantWidth || height != wantHeight) {
    std::fprintf(stderr, "%s: %s is %dx%d, expected %dx%d\n", argv[0], argv[1], width, height, wantWidth, wantHeight);
    status = 1;
  }
  // The most common colour is the background; count the pixels that differ from it.
  std::set<uint32_t> colours;
  const size_t count = static_cast<size_t>(width) * static_cast<size_t>(height);
  auto colourAt = [&](size_t i) {
    return static_cast<uint32_t>(pixels[3 * i]) << 16 | static_cast<uint32_t>(pixels[3 * i + 1]) << 8 | pixels[3 * i + 2];
  };
  const uint32_t corner = colourAt(0);
  size_t different = 0;
  for (size_t i = 0; i < count; ++i) {
    const uint32_t c = colourAt(i);
    if (colours.size() < 100000) colours.insert(c);
    if (c != corner) ++different;
  }
  stbi_image_free(pixels);
  const double fraction = count > 0 ? static_cast<double>(different) / static_cast<double>(count) : 0.0;
  std::printf("%s: %dx%d, %zu distinct colours, %.1f %% unlike the corner pixel\n", argv[1], width, height, colours.size(),
              fraction * 100.0);
  if (colours.size() < 32 || fraction < 0.05) {
    std::fprintf(stderr, "%s: %s looks blank\n", argv[0], argv[1]);
    status = 1;
  }
  return status;
}

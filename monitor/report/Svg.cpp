#include "monitor/report/Svg.h"

#include <cstdio>

namespace awe {
namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

}  // namespace

std::string xmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Control characters other than tab and newline are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string svgAttribute(const std::string& name, const std::string& value) {
  return " " + name + "=\"" + xmlEscape(value) + "\"";
}

std::string svgAttribute(const std::string& name, double value) { return " " + name + "=\"" + number(value) + "\""; }

SvgWriter::SvgWriter(double width_px, double height_px, const std::string& style) {
  svg_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\"" +
         svgAttribute("width", width_px) + svgAttribute("height", height_px) + " viewBox=\"0 0 " + number(width_px) +
         " " + number(height_px) + "\">\n";
  if (!style.empty()) svg_ += "<style><![CDATA[\n" + style + "\n]]></style>\n";
}

void SvgWriter::rect(double x, double y, double width, double height, const std::string& attributes) {
  svg_ += "<rect" + svgAttribute("x", x) + svgAttribute("y", y) + svgAttribute("width", width) +
          svgAttribute("height", height) + attributes + "/>\n";
}

void SvgWriter::line(double x1, double y1, double x2, double y2, const std::string& attributes) {
  svg_ += "<line" + svgAttribute("x1", x1) + svgAttribute("y1", y1) + svgAttribute("x2", x2) + svgAttribute("y2", y2) +
          attributes + "/>\n";
}

void SvgWriter::polyline(const std::vector<std::pair<double, double>>& points, const std::string& attributes) {
  if (points.empty()) return;
  std::string list;
  for (const auto& [x, y] : points) list += (list.empty() ? "" : " ") + number(x) + "," + number(y);
  svg_ += "<polyline points=\"" + list + "\" fill=\"none\"" + attributes + "/>\n";
}

void SvgWriter::circle(double cx, double cy, double r, const std::string& attributes) {
  svg_ += "<circle" + svgAttribute("cx", cx) + svgAttribute("cy", cy) + svgAttribute("r", r) + attributes + "/>\n";
}

void SvgWriter::text(double x, double y, const std::string& content, const std::string& attributes) {
  svg_ += "<text" + svgAttribute("x", x) + svgAttribute("y", y) + attributes + ">" + xmlEscape(content) + "</text>\n";
}

void SvgWriter::beginGroup(const std::string& attributes, const std::string& tooltip) {
  svg_ += "<g" + attributes + ">";
  if (!tooltip.empty()) svg_ += "<title>" + xmlEscape(tooltip) + "</title>";
  svg_ += "\n";
  ++openGroups_;
}

void SvgWriter::endGroup() {
  if (openGroups_ == 0) return;
  svg_ += "</g>\n";
  --openGroups_;
}

std::string SvgWriter::finish() {
  while (openGroups_ > 0) endGroup();
  svg_ += "</svg>\n";
  return std::move(svg_);
}

}  // namespace awe

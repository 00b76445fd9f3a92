// serving_check: runs a SavedModel signature on raw strings the way TF Serving does, without Python.
//
// It disables XLA compilation as `tensorflow_model_server` does (unless --xla, the counterpart of
// `--xla_cpu_compilation_enabled=true`), loads TF Text's op libraries, loads the export with
// `tensorflow::LoadSavedModel` (the `SavedModelBundle` loader of TF Serving), feeds the signature's string
// inputs from stdin and prints its outputs as one JSON line per batch.
//
// Usage:
//   serving_check [--signature serving_default] [--inputs question,context] [--batches]
//                 [--op_library_dir DIR]... [--op_library FILE.so]... [--xla] EXPORT_DIR
//
// Standard input: one row per line. Rows may use the escapes \\ \n \t \r and \xHH (any byte). With several
// string inputs, a row holds one field per input, separated by a TAB, in the order of --inputs (default:
// the signature's input names sorted). Without --batches all lines form one batch (no line: an empty
// batch); with --batches, stdin is a sequence of batches, each a line "@batch N" followed by N rows.
//
// Standard output, per batch: {"outputs": {NAME: {"dtype": D, "shape": [...], "values": [flat values]}}}
// or {"error": {"code": "INVALID_ARGUMENT", "message": "..."}}. A string value that is valid UTF-8 prints
// as a JSON string, any other as {"hex": "..."}.
// Exit status: 0 when every batch ran, 1 when a batch failed, 2 on bad arguments or a model that does not
// load.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <dirent.h>

#include "tensorflow/c/c_api.h"
#include "tensorflow/cc/saved_model/loader.h"
#include "tensorflow/compiler/jit/flags.h"
#include "tensorflow/core/framework/tensor.h"
#include "tensorflow/core/public/session.h"

#ifndef ZOO_TF_TEXT_OPS_DIR
#define ZOO_TF_TEXT_OPS_DIR ""
#endif

namespace {

struct Options {
  std::string export_dir;
  std::string signature = "serving_default";
  std::vector<std::string> inputs;
  std::vector<std::string> op_libraries;
  std::vector<std::string> op_library_dirs;
  bool batches = false;
  bool xla = false;
};

const char kUsage[] =
    "usage: serving_check [--signature NAME] [--inputs a,b] [--batches] [--op_library_dir DIR]...\n"
    "                     [--op_library FILE.so]... [--xla] EXPORT_DIR  < rows\n";

[[noreturn]] void Fail(const std::string& message) {
  std::cerr << "serving_check: error: " << message << "\n";
  std::exit(2);
}

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string::size_type start = 0;
  while (true) {
    auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

Options ParseArgs(int argc, char** argv) {
  Options options;
  if (std::string(ZOO_TF_TEXT_OPS_DIR).size()) options.op_library_dirs.push_back(ZOO_TF_TEXT_OPS_DIR);
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Fail(arg + " needs a value\n" + kUsage);
      return argv[++i];
    };
    if (arg == "--signature") {
      options.signature = value();
    } else if (arg == "--inputs") {
      options.inputs = Split(value(), ',');
    } else if (arg == "--op_library") {
      options.op_libraries.push_back(value());
    } else if (arg == "--op_library_dir") {
      options.op_library_dirs.push_back(value());
    } else if (arg == "--batches") {
      options.batches = true;
    } else if (arg == "--xla") {
      options.xla = true;
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else if (!arg.empty() && arg[0] == '-') {
      Fail("unknown flag " + arg + "\n" + kUsage);
    } else if (options.export_dir.empty()) {
      options.export_dir = arg;
    } else {
      Fail("more than one EXPORT_DIR\n" + std::string(kUsage));
    }
  }
  if (options.export_dir.empty()) Fail(std::string("no EXPORT_DIR given\n") + kUsage);
  return options;
}

// The shared objects (`_*.so`) of a directory, e.g. tensorflow_text/python/ops.
std::vector<std::string> OpLibrariesIn(const std::string& directory) {
  std::vector<std::string> found;
  DIR* dir = opendir(directory.c_str());
  if (dir == nullptr) Fail("cannot read op library directory " + directory);
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name.size() > 4 && name[0] == '_' && name.compare(name.size() - 3, 3, ".so") == 0) {
      found.push_back(directory + "/" + name);
    }
  }
  closedir(dir);
  std::sort(found.begin(), found.end());
  return found;
}

void LoadOpLibrary(const std::string& path) {
  TF_Status* status = TF_NewStatus();
  TF_Library* library = TF_LoadLibrary(path.c_str(), status);
  if (TF_GetCode(status) != TF_OK) Fail("cannot load op library " + path + ": " + TF_Message(status));
  TF_DeleteLibraryHandle(library);  // ops and kernels stay registered
  TF_DeleteStatus(status);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Unescape(const std::string& text) {
  std::string out;
  for (std::string::size_type i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    char c = text[++i];
    if (c == 'n') {
      out += '\n';
    } else if (c == 't') {
      out += '\t';
    } else if (c == 'r') {
      out += '\r';
    } else if (c == 'x' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += c;  // "\\" and any other escaped character stand for themselves
    }
  }
  return out;
}

bool ValidUtf8(const std::string& s) {
  std::string::size_type i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    int extra;
    unsigned int code;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c >> 5) == 0x6) {
      extra = 1, code = c & 0x1F;
    } else if ((c >> 4) == 0xE) {
      extra = 2, code = c & 0x0F;
    } else if ((c >> 3) == 0x1E) {
      extra = 3, code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      unsigned char next = s[i + k];
      if ((next >> 6) != 0x2) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if ((extra == 1 && code < 0x80) || (extra == 2 && code < 0x800) || (extra == 3 && code < 0x10000) ||
        code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;  // overlong form, beyond Unicode or a surrogate
    }
    i += extra + 1;
  }
  return true;
}

std::string JsonString(const std::string& s) {
  if (!ValidUtf8(s)) {
    static const char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned char c : s) {
      hex += kHex[c >> 4];
      hex += kHex[c & 15];
    }
    return "{\"hex\": \"" + hex + "\"}";
  }
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof(buffer), "\\u%04x", c);
      out += buffer;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string JsonFloat(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.9g", value);
  return buffer;
}

template <typename T, typename F>
std::string JsonValues(const tensorflow::Tensor& tensor, F format) {
  auto flat = tensor.flat<T>();
  std::string out = "[";
  for (int64_t i = 0; i < flat.size(); ++i) out += (i ? ", " : "") + format(flat(i));
  return out + "]";
}

std::string JsonTensor(const tensorflow::Tensor& tensor) {
  std::string shape = "[";
  for (int d = 0; d < tensor.dims(); ++d) shape += (d ? ", " : "") + std::to_string(tensor.dim_size(d));
  shape += "]";
  std::string values;
  switch (tensor.dtype()) {
    case tensorflow::DT_STRING:
      values = JsonValues<tensorflow::tstring>(tensor, [](const tensorflow::tstring& v) {
        return JsonString(std::string(v));
      });
      break;
    case tensorflow::DT_FLOAT:
      values = JsonValues<float>(tensor, [](float v) { return JsonFloat(v); });
      break;
    case tensorflow::DT_DOUBLE:
      values = JsonValues<double>(tensor, [](double v) { return JsonFloat(v); });
      break;
    case tensorflow::DT_INT32:
      values = JsonValues<int32_t>(tensor, [](int32_t v) { return std::to_string(v); });
      break;
    case tensorflow::DT_INT64:
      values = JsonValues<int64_t>(tensor, [](int64_t v) { return std::to_string(v); });
      break;
    case tensorflow::DT_BOOL:
      values = JsonValues<bool>(tensor, [](bool v) { return std::string(v ? "true" : "false"); });
      break;
    default:
      values = "\"unsupported dtype\"";
  }
  return "{\"dtype\": \"" + tensorflow::DataTypeString(tensor.dtype()) + "\", \"shape\": " + shape +
         ", \"values\": " + values + "}";
}

const char* CodeName(absl::StatusCode code) {
  static const char* kNames[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
                                 "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
                                 "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
  int index = static_cast<int>(code);
  return index >= 0 && index <= 16 ? kNames[index] : "UNKNOWN";
}

// Runs one batch (rows of TAB-separated, escaped fields) and prints its JSON line; returns false on error.
bool RunBatch(tensorflow::Session* session, const tensorflow::SignatureDef& signature,
              const std::vector<std::string>& inputs, const std::vector<std::string>& rows) {
  std::vector<tensorflow::Tensor> columns;
  for (size_t k = 0; k < inputs.size(); ++k) {
    columns.emplace_back(tensorflow::DT_STRING, tensorflow::TensorShape({static_cast<int64_t>(rows.size())}));
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    std::vector<std::string> fields = Split(rows[r], '\t');
    if (fields.size() != inputs.size()) {
      std::cout << "{\"error\": {\"code\": \"INVALID_ARGUMENT\", \"message\": "
                << JsonString("row " + std::to_string(r + 1) + " has " + std::to_string(fields.size()) +
                              " TAB-separated field(s), the signature takes " + std::to_string(inputs.size()))
                << "}}" << std::endl;
      return false;
    }
    for (size_t k = 0; k < inputs.size(); ++k) columns[k].flat<tensorflow::tstring>()(r) = Unescape(fields[k]);
  }
  std::vector<std::pair<std::string, tensorflow::Tensor>> feeds;
  for (size_t k = 0; k < inputs.size(); ++k) {
    feeds.emplace_back(signature.inputs().at(inputs[k]).name(), columns[k]);
  }
  std::vector<std::string> output_keys, fetches;
  for (const auto& output : signature.outputs()) output_keys.push_back(output.first);
  std::sort(output_keys.begin(), output_keys.end());
  for (const auto& key : output_keys) fetches.push_back(signature.outputs().at(key).name());
  std::vector<tensorflow::Tensor> outputs;
  absl::Status status = session->Run(feeds, fetches, {}, &outputs);
  if (!status.ok()) {
    std::cout << "{\"error\": {\"code\": \"" << CodeName(status.code()) << "\", \"message\": "
              << JsonString(std::string(status.message())) << "}}" << std::endl;
    return false;
  }
  std::string line = "{\"outputs\": {";
  for (size_t k = 0; k < output_keys.size(); ++k) {
    line += (k ? ", " : "") + JsonString(output_keys[k]) + ": " + JsonTensor(outputs[k]);
  }
  std::cout << line << "}}" << std::endl;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options options = ParseArgs(argc, argv);
  if (!options.xla) tensorflow::DisableXlaCompilation();  // as tensorflow_model_server does by default
  for (const auto& directory : options.op_library_dirs) {
    for (const auto& path : OpLibrariesIn(directory)) LoadOpLibrary(path);
  }
  for (const auto& path : options.op_libraries) LoadOpLibrary(path);

  tensorflow::SavedModelBundle bundle;
  absl::Status status = tensorflow::LoadSavedModel(tensorflow::SessionOptions(), tensorflow::RunOptions(),
                                                   options.export_dir, {"serve"},
                                                   &bundle);
  if (!status.ok()) Fail("cannot load " + options.export_dir + ": " + status.ToString());
  const auto& signatures = bundle.meta_graph_def.signature_def();
  if (signatures.find(options.signature) == signatures.end()) {
    std::string names;
    for (const auto& entry : signatures) names += " " + entry.first;
    Fail("no signature " + options.signature + " in " + options.export_dir + " (it has:" + names + ")");
  }
  const tensorflow::SignatureDef& signature = signatures.at(options.signature);
  std::vector<std::string> inputs = options.inputs;
  if (inputs.empty()) {
    for (const auto& input : signature.inputs()) inputs.push_back(input.first);
    std::sort(inputs.begin(), inputs.end());
  }
  for (const auto& name : inputs) {
    auto found = signature.inputs().find(name);
    if (found == signature.inputs().end()) Fail("signature " + options.signature + " has no input " + name);
    if (found->second.dtype() != tensorflow::DT_STRING) Fail("input " + name + " is not a string input");
  }
  if (inputs.size() != static_cast<size_t>(signature.inputs().size())) {
    Fail("--inputs must name every input of " + options.signature);
  }

  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  std::vector<std::string> lines;
  if (!text.empty()) {
    lines = Split(text, '\n');
    if (text.back() == '\n') lines.pop_back();
  }
  bool all_ok = true;
  if (!options.batches) {
    all_ok = RunBatch(bundle.session.get(), signature, inputs, lines);
  } else {
    size_t i = 0;
    while (i < lines.size()) {
      const std::string header = "@batch ";
      if (lines[i].compare(0, header.size(), header) != 0) {
        Fail("expected \"@batch N\" at line " + std::to_string(i + 1));
      }
      size_t count = std::strtoul(lines[i].c_str() + header.size(), nullptr, 10);
      if (i + 1 + count > lines.size()) Fail("batch at line " + std::to_string(i + 1) + " needs more rows");
      std::vector<std::string> rows(lines.begin() + i + 1, lines.begin() + i + 1 + count);
      all_ok = RunBatch(bundle.session.get(), signature, inputs, rows) && all_ok;
      i += 1 + count;
    }
  }
  return all_ok ? 0 : 1;
}

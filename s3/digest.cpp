#include "s3/digest.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace crm::s3 {
namespace {

struct CtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string digest(const EVP_MD* md, std::string_view data) {
  std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx(EVP_MD_CTX_new());
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 || EVP_DigestFinal_ex(ctx.get(), out, &len) != 1)
    throw std::runtime_error("OpenSSL digest failed");
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string hex(const std::string& raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view data) { return hex(digest(EVP_sha256(), data)); }
std::string md5_hex(std::string_view data) { return hex(digest(EVP_md5(), data)); }

namespace {
std::string base64(const std::string& raw) {
  unsigned char out[64];
  int n = EVP_EncodeBlock(out, reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  return std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
}
}  // namespace

std::string md5_base64(std::string_view data) { return base64(digest(EVP_md5(), data)); }

Md5Forms md5_forms(std::string_view data) {
  std::string raw = digest(EVP_md5(), data);
  return {hex(raw), base64(raw)};
}

std::string unquote_etag(std::string_view etag) {
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  // Some stores send the quotes entity-encoded inside XML even after decoding (&amp;quot;).
  while (etag.starts_with("&quot;")) etag.remove_prefix(6);
  while (etag.ends_with("&quot;")) etag.remove_suffix(6);
  std::string out(etag);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace crm::s3

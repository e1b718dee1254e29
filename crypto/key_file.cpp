#include "crypto/key_file.hpp"

#include <sodium.h>
#include <fmt/format.h>
#include <simdjson.h>

#include "crypto/base64.hpp"
#include "crypto/sodium_init.hpp"

namespace crm::crypto {
namespace {

constexpr std::string_view kFormatName = "crmbackup-native-key";
constexpr std::string_view kKdfName = "argon2id13";
constexpr std::string_view kCipherName = "xchacha20poly1305-ietf";
// Binds the wrapped key to this format and version: a blob wrapped for another purpose with
// the same KEK does not open as a data key.
constexpr std::string_view kWrapAssociatedData = "crmbackup-native key v1";
// Upper bounds accepted from a file: above crypto_pwhash_*_SENSITIVE, below "hostile".
constexpr std::uint64_t kMaxOpslimit = 64;
constexpr std::uint64_t kMaxMemlimit = 4ull << 30;

constexpr std::size_t kWrappedBytes = kDataKeyBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES;

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

SecureBytes derive_kek(const Passphrase& passphrase, const KdfParams& params, const std::string& salt) {
  SecureBytes kek(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  const auto& pw = passphrase.bytes();
  if (crypto_pwhash(kek.data(), kek.size(), reinterpret_cast<const char*>(pw.data()), pw.size(),
                    reinterpret_cast<const unsigned char*>(salt.data()), params.opslimit,
                    static_cast<std::size_t>(params.memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    // The only documented failure: Argon2id could not get its memory.
    throw KeyFileError(fmt::format("Argon2id could not allocate {} MiB for the key derivation: free memory and retry",
                                   params.memlimit >> 20));
  }
  return kek;
}

KeyFile wrap(const DataKey& key, const Passphrase& passphrase, const KdfParams& params) {
  KeyFile file;
  file.kdf = params;
  file.salt = random_bytes(crypto_pwhash_SALTBYTES);
  file.nonce = random_bytes(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  SecureBytes kek = derive_kek(passphrase, params, file.salt);
  file.wrapped_key.assign(kWrappedBytes, '\0');
  unsigned long long out_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(file.wrapped_key.data()), &out_len, key.bytes().data(), key.bytes().size(),
      reinterpret_cast<const unsigned char*>(kWrapAssociatedData.data()), kWrapAssociatedData.size(), nullptr,
      reinterpret_cast<const unsigned char*>(file.nonce.data()), kek.data());
  return file;
}

void check_params(const KdfParams& p, std::string_view name) {
  if (p.opslimit < crypto_pwhash_OPSLIMIT_MIN || p.opslimit > kMaxOpslimit || p.memlimit < crypto_pwhash_MEMLIMIT_MIN ||
      p.memlimit > kMaxMemlimit) {
    throw KeyFileError(fmt::format("key file {}: Argon2id parameters out of range (opslimit {}, memlimit {} bytes)", name,
                                   p.opslimit, p.memlimit));
  }
}

}  // namespace

KdfParams KdfParams::recommended() { return {3, std::uint64_t{64} << 20}; }
KdfParams KdfParams::minimum() { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }

CreatedKey create_key(const Passphrase& passphrase, const KdfParams& params) {
  ensure_sodium();
  check_params(params, "(new)");
  DataKey key = DataKey::generate();
  KeyFile file = wrap(key, passphrase, params);
  return {std::move(file), std::move(key)};
}

DataKey unlock_key(const KeyFile& file, const Passphrase& passphrase, std::string_view name) {
  ensure_sodium();
  check_params(file.kdf, name);
  if (file.salt.size() != crypto_pwhash_SALTBYTES || file.nonce.size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES ||
      file.wrapped_key.size() != kWrappedBytes) {
    throw KeyFileError(fmt::format("key file {}: salt, nonce or wrapped key has the wrong length", name));
  }
  SecureBytes kek = derive_kek(passphrase, file.kdf, file.salt);
  SecureBytes key(kDataKeyBytes);
  unsigned long long key_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          key.data(), &key_len, nullptr, reinterpret_cast<const unsigned char*>(file.wrapped_key.data()),
          file.wrapped_key.size(), reinterpret_cast<const unsigned char*>(kWrapAssociatedData.data()),
          kWrapAssociatedData.size(), reinterpret_cast<const unsigned char*>(file.nonce.data()), kek.data()) != 0) {
    throw WrongPassphraseError(
        fmt::format("wrong passphrase for {} (or its key file was altered): the data key cannot be unwrapped", name));
  }
  return DataKey(std::move(key));
}

KeyFile rewrap_key(const KeyFile& file, const Passphrase& old_passphrase, const Passphrase& new_passphrase,
                   std::string_view name, const KdfParams& params) {
  check_params(params, "(new)");
  DataKey key = unlock_key(file, old_passphrase, name);
  return wrap(key, new_passphrase, params);
}

std::string key_file_to_json(const KeyFile& f) {
  return fmt::format(
      "{{\n  \"format\": \"{}\",\n  \"version\": {},\n  \"kdf\": \"{}\",\n  \"opslimit\": {},\n  \"memlimit\": {},\n"
      "  \"salt\": \"{}\",\n  \"cipher\": \"{}\",\n  \"nonce\": \"{}\",\n  \"wrapped_key\": \"{}\"\n}}\n",
      kFormatName, f.version, kKdfName, f.kdf.opslimit, f.kdf.memlimit, to_base64(f.salt), kCipherName,
      to_base64(f.nonce), to_base64(f.wrapped_key));
}

KeyFile parse_key_file(std::string_view json, std::string_view name) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root)) throw KeyFileError(fmt::format("key file {}: not valid JSON", name));
  simdjson::dom::object obj;
  if (root.get(obj)) throw KeyFileError(fmt::format("key file {}: not a JSON object", name));
  auto text = [&](const char* field) -> std::string_view {
    std::string_view v;
    if (obj[field].get(v)) throw KeyFileError(fmt::format("key file {}: field \"{}\" missing or not a string", name, field));
    return v;
  };
  auto number = [&](const char* field) -> std::uint64_t {
    std::uint64_t v = 0;
    if (obj[field].get(v)) {
      throw KeyFileError(fmt::format("key file {}: field \"{}\" missing or not a non-negative integer", name, field));
    }
    return v;
  };
  auto binary = [&](const char* field, std::size_t expected) {
    auto v = from_base64(text(field));
    if (!v || v->size() != expected) {
      throw KeyFileError(fmt::format("key file {}: field \"{}\" is not base64 of {} bytes", name, field, expected));
    }
    return std::move(*v);
  };
  if (text("format") != kFormatName) throw KeyFileError(fmt::format("key file {}: not a crmbackup-native key file", name));
  std::uint64_t version = number("version");
  if (version != kKeyFileVersion) {
    throw KeyFileError(fmt::format("key file {}: version {} is not supported (this program reads version {})", name,
                                   version, kKeyFileVersion));
  }
  if (text("kdf") != kKdfName) throw KeyFileError(fmt::format("key file {}: unsupported kdf (expected {})", name, kKdfName));
  if (text("cipher") != kCipherName) {
    throw KeyFileError(fmt::format("key file {}: unsupported cipher (expected {})", name, kCipherName));
  }
  KeyFile f;
  f.version = static_cast<int>(version);
  f.kdf = {number("opslimit"), number("memlimit")};
  check_params(f.kdf, name);
  f.salt = binary("salt", crypto_pwhash_SALTBYTES);
  f.nonce = binary("nonce", crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  f.wrapped_key = binary("wrapped_key", kWrappedBytes);
  return f;
}

}  // namespace crm::crypto

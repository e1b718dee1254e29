// Made the known-answer fixtures of this folder once (see README.md); kept to show how, not
// built. Running it again gives different bytes (random salt, nonces, data key): the point of
// the committed files is that they never change.
//   g++ -std=c++20 -I. tests/data/crypto/generate.cpp build/libcrm_crypto.a -lsodium -lfmt -lsimdjson \
//     -o /tmp/gen && (cd tests/data/crypto && /tmp/gen)
#include <sodium.h>

#include <fstream>
#include <string>

#include "crypto/blob_name.hpp"
#include "crypto/encrypted_stream.hpp"
#include "crypto/key_file.hpp"

int main() {
  using namespace crm::crypto;
  std::string plain;
  for (int i = 1; i <= 6; ++i) {
    plain += std::to_string(i) + "\tJane Doe " + std::to_string(i) + "\tjane" + std::to_string(i) +
             "@example.com\t2026-12-03 02:00:00+00\n";
  }
  CreatedKey created = create_key(Passphrase::from_text("known-answer passphrase v1"), KdfParams::minimum());
  std::ofstream("key.json", std::ios::binary) << key_file_to_json(created.file);
  std::ofstream("data.sql", std::ios::binary) << plain;
  std::ofstream("data.sql.enc", std::ios::binary)
      << encrypt_buffer(created.key, "backup-2026-12-03-020000/data.sql", plain, 64);
  char key_hex[65];
  sodium_bin2hex(key_hex, sizeof key_hex, created.key.bytes().data(), created.key.bytes().size());
  std::ofstream("data-key.hex", std::ios::binary) << key_hex << "\n";
  std::ofstream("data.sql.blob-name", std::ios::binary) << blob_name(created.key, plain) << "\n";
}
